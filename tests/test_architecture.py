"""The architecture: no country in the analysis code, dependencies that point one way."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import syriadata

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "syriadata"
COUNTRY_FREE = sorted([*(PKG / "analysis").glob("*.py"), *(PKG / "figures").glob("*.py"),
                       *(PKG / "report").glob("*.py"),
                       *(PKG / "explore").glob("*.py"), *(ROOT / "analysis").glob("*.py"), PKG / "domain.py"])


def forbidden_tokens() -> dict[str, str]:
    """Every place, actor, episode id, p-code and event date of the bundled data, and the country's name."""
    t = syriadata.load_all()
    tokens = {}
    for col, frame in [("place_id", t["places"]), ("episode_id", t["episodes"]), ("admin1_pcode", t["admin1"])]:
        tokens.update({str(v).lower(): col for v in frame[col]})
    actors = t["actors"][t["actors"]["actor_type"] != "status"]
    tokens.update({str(v).lower(): "actor_id" for v in actors["actor_id"]})
    for col in ("date_start", "date_end"):
        tokens.update({d.strftime("%Y-%m-%d"): "date" for d in t["control_events"][col]})
    tokens.update({"syria": "country", "syrian": "country", "assad": "country"})
    return tokens


def test_no_country_actor_episode_place_or_date_in_analysis_code():
    tokens = forbidden_tokens()
    assert len(tokens) > 200  # the check is only as good as its list
    found = []
    for path in COUNTRY_FREE:
        text = path.read_text(encoding="utf-8").lower()
        for word in set(re.findall(r"[a-z0-9_]+(?:-[0-9]{2}-[0-9]{2})?", text)):
            if word in tokens:
                found.append(f"{path.relative_to(ROOT)}: {word} ({tokens[word]})")
    assert not found, "\n".join(sorted(found))


LAYERS = [  # a module may import only from its own layer or lower ones
    {"errors", "domain", "outlines", "_atomic"},
    {"contract"},
    {"releases"},
    {"loaders"},
    {"engine"},
    {"analysis", "figures"},
    {"report", "explore"},
    {"cli", "__main__", "__init__"},
]


def _unit(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> set[str]:
    """The syriadata units (top-level modules or subpackages) that ``path`` imports, lazily or not."""
    unit_pkg = path.relative_to(PKG).parts[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(unit_pkg)[: len(unit_pkg) - (node.level - 1)]
            parts = base + (node.module.split(".") if node.module else [])
            names = parts[:1] if parts else [a.name for a in node.names]
            out.update(names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("syriadata."):
            out.add(node.module.split(".")[1])
    return out


@pytest.mark.parametrize("path", sorted(PKG.rglob("*.py")), ids=lambda p: str(p.relative_to(PKG)))
def test_dependencies_point_one_way(path):
    level = {u: i for i, layer in enumerate(LAYERS) for u in layer}
    unit = _unit(path)
    assert unit in level, f"{unit} is in no layer: add it to LAYERS"
    upward = sorted(u for u in _imports(path) - {unit} if level.get(u, -1) > level[unit])
    assert not upward, f"{path.relative_to(PKG)} ({unit}) imports from higher layers: {upward}"
