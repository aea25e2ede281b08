"""How to cite the package, and the upstream sources behind the rows a user works with."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

AUTHORS = "syriadata contributors"
TITLE = "syriadata: who controlled what in Syria, and when"
YEAR = "2026"


def citation_text(version: str) -> str:
    return f"{AUTHORS} ({YEAR}). {TITLE}. Data package version {version}. Licensed CC BY 4.0."


def citation_bibtex(version: str) -> str:
    key = "syriadata_" + version.replace(".", "_")
    return (f"@misc{{{key},\n  author = {{{{{AUTHORS}}}}},\n  title = {{{TITLE}}},\n  year = {{{YEAR}}},\n"
            f"  version = {{{version}}},\n  note = {{Data package, CC BY 4.0}}\n}}\n")


def sources_for(frame: pd.DataFrame | None = None, *, root: str | Path | None = None) -> pd.DataFrame:
    """The sources behind the rows of ``frame``: events (by ``event_id``), rows with ``source_ids``,
    or sources themselves (``source_id``). With no frame, every source the package cites."""
    from .loaders import load

    sources = load("sources", root=root)
    if frame is None:
        return sources
    ids: set[str] = set()
    if "event_id" in frame.columns:
        links = load("event_sources", root=root)
        ids |= set(links.loc[links["event_id"].isin(frame["event_id"].astype(str)), "source_id"].astype(str))
    if "source_ids" in frame.columns:
        ids |= {s for cell in frame["source_ids"].dropna().astype(str) for s in cell.split(";")}
    if "source_id" in frame.columns:
        ids |= set(frame["source_id"].dropna().astype(str))
    return sources[sources["source_id"].isin(ids)].reset_index(drop=True)


def cite(frame: pd.DataFrame | None = None, *, style: str = "text", root: str | Path | None = None) -> str:
    """The package citation (``style="text"`` or ``"bibtex"``) followed by the upstream sources of the
    rows in ``frame``."""
    from .descriptor import read_package

    version = read_package(root).version
    head = citation_bibtex(version) if style == "bibtex" else citation_text(version) + "\n"
    if frame is None:
        return head
    src = sources_for(frame, root=root)
    lines = [head, f"Upstream sources of these rows ({len(src)}):"]
    for s in src.itertuples():
        date = "n.d." if pd.isna(s.date_published) else s.date_published.strftime("%Y-%m-%d")
        lines.append(f"- {s.publisher} ({date}). {s.title}. {s.url}")
    return "\n".join(lines) + "\n"
