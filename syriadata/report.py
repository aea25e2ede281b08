"""Build the reproducible report: run every script in ``analysis/``, then write one HTML page.

Each script is a module with a docstring (its first line is the question it answers) and a
``main(out_dir, root=None)`` that writes tables (CSV) and figures (PNG and SVG) and returns their
paths. The data is validated before anything is written. The report is built in a hidden scratch
folder and swapped into place at the end (see :mod:`syriadata._atomic`), so a failed or killed run
leaves the previous report complete and never a half-written one; a folder that is not a previous
report (the user's own files) is refused with OutputError. Same data in, same bytes out.
"""
from __future__ import annotations

import base64
import html
import importlib.util
import sys
import time
from pathlib import Path

import pandas as pd

from ._atomic import output_dir
from ._files import bundled_root
from .descriptor import read_package


def analysis_dir() -> Path:
    """The ``analysis/`` scripts: beside the bundled data package (wheel) or the source tree."""
    root = bundled_root()
    for candidate in (root / "analysis", root.parent / "analysis"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the analysis/ scripts are missing from this installation")


def scripts(folder: Path | None = None) -> list[Path]:
    folder = folder or analysis_dir()
    return sorted(p for p in folder.glob("a[0-9]*.py"))


def _load_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"syriadata_analysis_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return module


def _section(module, outputs: list[Path], out: Path) -> str:
    doc = (module.__doc__ or module.__name__).strip().split("\n\n", 1)
    title, text = doc[0].strip(), (doc[1].strip() if len(doc) > 1 else "")
    parts = [f"<section><h2>{html.escape(title)}</h2>", f"<p>{html.escape(' '.join(text.split()))}</p>"]
    for path in outputs:
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".png":
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'
                         f'<figcaption><a href="{rel}">PNG</a> · <a href="{rel[:-4]}.svg">SVG</a></figcaption></figure>')
        elif path.suffix == ".csv":
            frame = pd.read_csv(path)
            shown = frame if path.stem == "headlines" else frame.head(12)
            opened = " open" if path.stem == "headlines" else ""
            parts.append(f'<details{opened}><summary>Table <a href="{rel}">{html.escape(path.name)}</a> '
                         f'({len(frame)} rows{", first 12 shown" if len(frame) > 12 else ""})</summary>')
            parts.append(shown.to_html(index=False, border=0, classes="table", na_rep="", float_format=lambda v: f"{v:.4g}"))
            parts.append("</details>")
    parts.append("</section>")
    return "\n".join(parts)


STYLE = """body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ddd}
img{max-width:100%;height:auto}figure{margin:1em 0}figcaption{font-size:.85em;color:#555}
table.table{border-collapse:collapse;font-size:.8em;margin:.5em 0}table.table td,table.table th{padding:2px 6px;
border-bottom:1px solid #eee;text-align:right}details{margin:.6em 0}code,pre{background:#f6f6f6;padding:0 .2em}
.cite{background:#f6f6f6;padding:.8em;font-size:.9em}"""


REPORT_NEEDS = ("statsmodels", "matplotlib", "seaborn")


def build_report(out: Path, *, root: str | Path | None = None, log=None) -> Path:
    """Run every analysis script into ``out`` and write ``out/index.html``; return its path.

    Raises DataValidationError if the package is invalid and OutputError if ``out`` is a folder
    that a report may not replace, both before anything is written.
    """
    from .errors import require
    from .qa import quality_report
    from .validate import validate_package

    for module in REPORT_NEEDS:  # a missing extra is said at once, not after minutes of work
        require(module, "analysis", "syriadata report")
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    pkg = read_package(root)
    problems = validate_package(root)
    if problems:
        from .problems import DataValidationError

        raise DataValidationError(problems)
    out = Path(out)
    with output_dir(out, "report", package_root=pkg.root) as work:
        found = scripts()
        sections = []
        for i, path in enumerate(found, 1):
            t0 = time.perf_counter()
            module = _load_module(path)
            title = (module.__doc__ or path.stem).strip().splitlines()[0]
            log(f"[{i}/{len(found)}] {path.name}: {title}")
            outputs = [Path(p) for p in module.main(work, root=root)]
            sections.append(_section(module, outputs, work))
            log(f"      {len(outputs)} file(s) in {time.perf_counter() - t0:.1f} s")
        (work / "quality.md").write_text(quality_report(root=root), encoding="utf-8")
        page = _page(pkg, sections)
        (work / "index.html").write_text(page, encoding="utf-8")
    log(f"report written to {out / 'index.html'}")
    return out / "index.html"


def _page(pkg, sections: list[str]) -> str:
    from .cite import citation_text

    version = pkg.version
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>syriadata {version}: how fast territory changed hands</title>
<style>{STYLE}</style></head><body>
<h1>How fast territory changed hands in Syria, November 2024 &ndash; March 2025</h1>
<p>Report built from <strong>syriadata {version}</strong> with <code>syriadata report</code>. Every table and
figure below is rebuilt from the data package by the scripts in <code>analysis/</code>; the same data gives
the same files, byte for byte. Each change of control has a date window; results are given for changes
dated to the <em>earliest</em>, <em>midpoint</em> and <em>latest</em> day of their windows, and the spread
between them is the uncertainty that the dating alone introduces. Data quality: <a href="quality.md">quality.md</a>.</p>
<div class="cite"><strong>How to cite.</strong> {html.escape(citation_text(version))}</div>
{''.join(sections)}
<hr><p style="font-size:.85em;color:#555">Data licence: CC BY 4.0. Code licence: MIT. Map outlines: Natural Earth
(public domain). Coordinates and populations partly from GeoNames (CC BY 4.0).</p>
</body></html>
"""
