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

from .._atomic import output_dir
from ..contract.files import bundled_root
from ..contract.descriptor import read_package


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


def _alt_text(path: Path) -> str:
    """The figure's title, stored in the PNG by :func:`syriadata.figures.plots.save`, for alt text."""
    from PIL import Image

    with Image.open(path) as img:
        return img.info.get("Title") or path.stem.replace("_", " ")


MAX_ROWS_SHOWN = 60


def _section(module, result, out: Path) -> str:
    """One section: the question, the finding (from the numbers), the method, figures and tables.

    ``result`` is what the script's ``main`` returned: a list of paths, or a dict with ``files``
    and ``finding`` (one or two sentences generated from the numbers).
    """
    outputs = [Path(p) for p in (result["files"] if isinstance(result, dict) else result)]
    finding = result.get("finding", "") if isinstance(result, dict) else ""
    doc = (module.__doc__ or module.__name__).strip().split("\n\n", 1)
    title, text = doc[0].strip(), (doc[1].strip() if len(doc) > 1 else "")
    parts = [f"<section><h2>{html.escape(title)}</h2>"]
    if finding:
        parts.append(f'<p class="finding">{html.escape(finding)}</p>')
    parts.append(f'<p class="method">{html.escape(" ".join(text.split()))}</p>')
    for path in outputs:
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".png":
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(f'<figure><img alt="{html.escape(_alt_text(path))}" src="data:image/png;base64,{data}">'
                         f'<figcaption><a href="{rel}">PNG</a> · <a href="{rel[:-4]}.svg">SVG</a></figcaption></figure>')
        elif path.suffix == ".csv":
            try:
                frame = pd.read_csv(path)
            except pd.errors.EmptyDataError:
                frame = pd.DataFrame()
            opened = " open" if path.stem == "headlines" else ""
            parts.append(f'<details{opened}><summary>Table <a href="{rel}">{html.escape(path.name)}</a> '
                         f"({len(frame)} rows)</summary>")
            if len(frame) <= MAX_ROWS_SHOWN:
                parts.append(frame.to_html(index=False, border=0, classes="table", na_rep="",
                                           float_format=lambda v: f"{v:.4g}"))
            else:  # never a slice that hides rows (such as the latest reading): the whole table is the CSV
                parts.append(f'<p>{len(frame)} rows: too long to show here; the full table is '
                             f'<a href="{rel}">{html.escape(path.name)}</a>.</p>')
            parts.append("</details>")
    parts.append("</section>")
    return "\n".join(parts)


STYLE = """body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ddd}
img{max-width:100%;height:auto}figure{margin:1em 0}figcaption{font-size:.85em;color:#555}
table.table{border-collapse:collapse;font-size:.8em;margin:.5em 0}table.table td,table.table th{padding:2px 6px;
border-bottom:1px solid #eee;text-align:right}details{margin:.6em 0}code,pre{background:#f6f6f6;padding:0 .2em}
.cite{background:#f6f6f6;padding:.8em;font-size:.9em}.finding{font-size:1.08em;font-weight:600}
.method{color:#444;font-size:.92em}.bands{border-left:4px solid #0072B2;padding:.4em .8em;background:#f3f8fc}"""


REPORT_NEEDS = ("statsmodels", "matplotlib", "seaborn", "bokeh")


def build_report(out: Path, *, root: str | Path | None = None, studies: list[str] | None = None, log=None) -> Path:
    """Run every analysis script for each study into ``out``; return the path of ``index.html``.

    Parameters
    ----------
    out : the output folder (a new or empty folder, or a previous report).
    root : a data package folder; None for the bundled package.
    studies : episode ids to study; None for the package's default studies (``default_study``).
        One study is written flat into ``out``; several each get ``out/<episode_id>/`` and
        ``out/index.html`` links them.
    log : a function taking one progress line (default: print to standard error).

    Raises DataValidationError if the package is invalid, UsageError for an episode that is not
    a study, and OutputError if ``out`` is a folder that a report may not replace, all before
    anything is written.
    """
    from ..analysis.study import default_studies, load_study
    from ..errors import UsageError, require
    from ..contract.qa import quality_report
    from ..contract.validate import validate_package

    for module in REPORT_NEEDS:  # a missing extra is said at once, not after minutes of work
        require(module, "analysis", "syriadata report")
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    pkg = read_package(root)
    problems = validate_package(root)
    if problems:
        from ..contract.problems import DataValidationError

        raise DataValidationError(problems)
    chosen = [load_study(s, root=root) for s in studies] if studies else default_studies(root=root)
    if not chosen:
        raise UsageError("no study to report on: name one with --study EPISODE_ID "
                         "(an episode with a defender_actor_id), or mark episodes default_study")
    out = Path(out)
    found = scripts()
    with output_dir(out, "report", package_root=pkg.root) as work:
        pages = []
        for n, study in enumerate(chosen, 1):
            target = work if len(chosen) == 1 else work / study.episode_id
            target.mkdir(parents=True, exist_ok=True)
            log(f"study {n}/{len(chosen)}: {study.episode_id} ({study.name}, {study.period})")
            sections = []
            for i, path in enumerate(found, 1):
                t0 = time.perf_counter()
                module = _load_module(path)
                title = (module.__doc__ or path.stem).strip().splitlines()[0]
                log(f"[{i}/{len(found)}] {path.name}: {title}")
                result = module.main(target, root=root, study=study)
                sections.append(_section(module, result, target))
                n_files = len(result["files"] if isinstance(result, dict) else result)
                log(f"      {n_files} file(s) in {time.perf_counter() - t0:.1f} s")
            quality = "quality.md" if len(chosen) == 1 else "../quality.md"
            (target / "index.html").write_text(_page(pkg, study, sections, quality), encoding="utf-8")
            pages.append(study)
        (work / "quality.md").write_text(quality_report(root=root), encoding="utf-8")
        log("explorer: explore.html (the state of every place on any day)")
        from ..explore import build_page

        (work / "explore.html").write_text(build_page(root=root, country=chosen[0].country), encoding="utf-8")
        if len(chosen) > 1:
            (work / "index.html").write_text(_overview(pkg, pages), encoding="utf-8")
    log(f"report written to {out / 'index.html'}")
    return out / "index.html"


def _licences(pkg) -> str:
    names = [lic.get("title") or lic.get("name") for lic in pkg.descriptor.get("licenses", [])]
    return ", ".join(n for n in names if n) or "see the data package"


def _head(pkg, title: str) -> str:
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"\n<style>{STYLE}</style></head><body>")


def _overview(pkg, studies) -> str:
    title = pkg.descriptor.get("title", pkg.descriptor.get("name", "data package"))
    items = "".join(f'<li><a href="{s.episode_id}/index.html">{html.escape(s.name)}</a>, {html.escape(s.period)}: '
                    f"places held by {html.escape(s.defender_label)}</li>" for s in studies)
    return f"""{_head(pkg, f"{title} {pkg.version}: studies")}
<h1>{html.escape(title)} {html.escape(pkg.version)}: how fast territory changed hands</h1>
<p>One report per study, each rebuilt from the data package by the scripts in <code>analysis/</code>.
Data quality: <a href="quality.md">quality.md</a>. Map of any day: <a href="explore.html">explore.html</a>.</p><ul>{items}</ul>
<hr><p style="font-size:.85em;color:#555">Data licence: {html.escape(_licences(pkg))}.</p></body></html>
"""


def _page(pkg, study, sections: list[str], quality: str) -> str:
    from ..analysis.dating import DRAWS

    from ..releases.cite import citation_text

    version = pkg.version
    name = pkg.descriptor.get("name", "data package")
    return f"""{_head(pkg, f"{name} {version}: {study.name}, {study.period}")}
<h1>How fast {html.escape(study.defender_label)} lost territory: {html.escape(study.name)}, {html.escape(study.period)}</h1>
<p>Report built from <strong>{html.escape(name)} {version}</strong> with <code>syriadata report --study
{html.escape(study.episode_id)}</code>. Every table and figure below is rebuilt from the data package by the
scripts in <code>analysis/</code>; the same data gives the same files, byte for byte. The places at risk are
those {html.escape(study.defender_label)} held at the end of the day before the episode began. Each change of
control has a date window; results are given for changes dated to the <em>earliest</em>, <em>midpoint</em> and
<em>latest</em> day of their windows, and the spread between them is the uncertainty that the dating alone
introduces. Data quality: <a href="{quality}">quality.md</a>. The state of every place on any day, on a map:
<a href="{quality.replace('quality.md', 'explore.html')}">explore.html</a> (works offline).</p>
<p class="bands"><strong>What the bands mean.</strong> A change of control is known only to lie within its
date window. <em>Earliest</em> and <em>latest</em> count every change from the first or the last day of its
window; for counts, shares still held, Kaplan-Meier curves and the T-quantiles they are exact bounds (when no
window straddles the start). <em>Imputed</em> figures draw every change's day uniformly within its window
({DRAWS} seeded draws) and give the median with the 2.5-97.5% range; model estimates are pooled over the draws
with Rubin's rules. Peaks, speeds, test statistics and model coefficients are not bounded by the two readings:
for them the imputation range is the band, and the largest one-day loss also has its exact range over every
dating the windows allow (an integer program). The risk period ends on the study's last day or on the day the
defender ceased to exist; places still held then are censored there.</p>
<div class="cite"><strong>How to cite.</strong> {html.escape(citation_text(version, root=pkg.root))}</div>
{''.join(sections)}
<hr><p style="font-size:.85em;color:#555">Data licence: {html.escape(_licences(pkg))}. Map outlines: Natural
Earth 1:10m (public domain). The sources of each row are listed in the package's <code>sources</code> table.</p>
</body></html>
"""
