"""Shared set-up for the analysis scripts: the package, the study, file writers.

Every script reads what it needs from the study (defender, period, focus places, headline places)
and the data; none names a country, an actor, an episode or a date.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

import syriadata
from syriadata.analysis.dating import imputed
from syriadata.analysis.losses import falls, with_groups
from syriadata.analysis.study import Study, default_studies, load_study
from syriadata.figures.palette import Palette


_DERIVED: dict = {}


def context(root=None, study: Study | str | None = None) -> dict:
    """Tables, version, the study and its falls table (see ``syriadata.analysis.losses.falls``)."""
    tables = syriadata.load_all(root=root)
    if study is None:
        chosen = default_studies(root=root)
        if not chosen:
            raise syriadata.errors.UsageError("the package marks no episode as a default study; name one")
        study = chosen[0]
    elif isinstance(study, str):
        study = load_study(study, root=root)
    pkg = syriadata.read_package(root)
    # the falls table and the imputation draws are the same for every script of a report: built
    # once per study and state of the files (the scripts only read them)
    key = (str(pkg.root), study, tuple(pkg.path(n).stat().st_mtime_ns for n in pkg.table_names))
    if key not in _DERIVED:
        table = with_groups(falls(study, events=tables["control_events"], places=tables["places"]),
                            tables.get("admin1"))
        _DERIVED.clear()
        _DERIVED[key] = (table, list(imputed(study, tables["control_events"])))
    table, draws = _DERIVED[key]
    table = table.copy()
    licence = ", ".join(lic.get("name", "") for lic in pkg.descriptor.get("licenses", []))
    return {"tables": tables, "version": f"{pkg.descriptor.get('name', 'data')} {pkg.version} ({licence})",
            "falls": table, "draws": draws, "study": study, "palette": Palette.from_actors(tables["actors"]), "root": root}


def focus_label(study: Study) -> str:
    """The focus place types in words, for titles."""
    return " and ".join(t.replace("_", " ") + "s" for t in study.focus_types)


def span(low, high, unit: str = "days", digits: int = 0) -> str:
    """'9 days' or '9-10 days': a value or a range in words, rounded to ``digits``."""
    def fmt(v):
        return "n/a" if pd.isna(v) else f"{float(v):.{digits}f}"
    if not (pd.isna(low) or pd.isna(high)) and float(low) > float(high):
        low, high = high, low  # a range in words runs from the smaller value (readings need not be ordered
        # when a window straddles the start and the places at risk differ between them)
    a, b = fmt(low), fmt(high)
    if a == b and unit.endswith("s") and a in ("1", "1.0"):
        unit = unit[:-1]
    return f"{a} {unit}".strip() if a == b else f"{a}-{b} {unit}".strip()


def when(study: Study, day) -> str:
    """Day ``day`` of the study as a date in words."""
    d = study.start + pd.Timedelta(days=int(day))
    return f"{d.day} {d:%B %Y}"


def write_table(frame: pd.DataFrame, out_dir: Path, name: str) -> Path:
    """CSV with fixed float formatting and LF endings, so reruns give identical bytes."""
    path = Path(out_dir) / "tables" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format="%.6g", lineterminator="\n", date_format="%Y-%m-%d")
    return path


def write_figure(fig, out_dir: Path, name: str) -> list[Path]:
    from syriadata.figures.plots import save

    (Path(out_dir) / "figures").mkdir(parents=True, exist_ok=True)
    return [Path(p) for p in save(fig, Path(out_dir) / "figures", name)]


def run(main) -> None:
    """Command-line entry of a script: ``python aNN_x.py [OUT_DIR [EPISODE_ID]]``."""
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "report", study=sys.argv[2] if len(sys.argv) > 2 else None)
