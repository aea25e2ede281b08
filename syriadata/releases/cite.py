"""How to cite the package, and the upstream sources behind the rows a user works with."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

def _meta(root) -> dict:
    """Authors, title, year, licence and address of the package, from its descriptor."""
    from ..contract.descriptor import read_package

    d = read_package(root).descriptor
    authors = " and ".join(c.get("title", "") for c in d.get("contributors", []) if "author" in c.get("roles", []))
    licence = ", ".join(lic.get("name", "") for lic in d.get("licenses", []))
    return {"authors": authors or d.get("name", ""), "title": d.get("title", d.get("name", "")),
            "year": str(d.get("created", ""))[:4], "licence": licence, "url": d.get("homepage", "")}


def citation_text(version: str, *, root=None) -> str:
    """The citation of package version ``version`` (names and licence from the descriptor at ``root``)."""
    m = _meta(root)
    return f"{m['authors']} ({m['year']}). {m['title']}. Data package version {version}. Licensed {m['licence']}."


def citation_bibtex(version: str, *, root=None) -> str:
    """A BibTeX ``@misc`` entry for package version ``version``."""
    m = _meta(root)
    key = "".join(ch if ch.isalnum() else "_" for ch in m["title"].split(":")[0]) + "_" + version.replace(".", "_")
    url = f"  url = {{{m['url']}}},\n" if m["url"] else ""
    return (f"@misc{{{key},\n  author = {{{{{m['authors']}}}}},\n  title = {{{m['title']}}},\n  year = {{{m['year']}}},\n"
            f"{url}  version = {{{version}}},\n  note = {{Data package, {m['licence']}}}\n}}\n")


_TEX_SPECIAL = str.maketrans({"&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$", "{": "(", "}": ")"})


def _bib_text(value) -> str:
    """Text safe inside a braced BibTeX field: balanced (no braces of its own), LaTeX specials escaped."""
    return " ".join(str(value).split()).translate(_TEX_SPECIAL)


def _bib_key(value: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "_-:" else "_" for ch in str(value))


def source_bibtex(src: pd.DataFrame) -> str:
    """One BibTeX ``@misc`` entry per source (key: the source id), with publisher, title, date and URL."""
    entries = []
    for s in src.itertuples():
        fields = [("author", "{" + _bib_text(s.publisher) + "}"), ("title", _bib_text(s.title))]
        if not pd.isna(s.date_published):
            fields += [("year", s.date_published.strftime("%Y")), ("date", s.date_published.strftime("%Y-%m-%d"))]
        if isinstance(s.url, str) and s.url:
            fields.append(("url", s.url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")))
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
        entries.append(f"@misc{{{_bib_key(s.source_id)},\n{body}\n}}\n")
    return "\n".join(entries)


def sources_for(frame: pd.DataFrame | None = None, *, root: str | Path | None = None) -> pd.DataFrame:
    """The sources behind the rows of ``frame``: events (by ``event_id``), rows with ``source_ids``,
    or sources themselves (``source_id``). With no frame, every source the package cites."""
    from ..contract.descriptor import read_package
    from ..contract.tables import read_tables

    pkg = read_package(root)
    sources = read_tables(pkg, ["sources"])["sources"]
    if frame is None:
        return sources
    ids: set[str] = set()
    if "event_id" in frame.columns:
        links = read_tables(pkg, ["event_sources"])["event_sources"]
        ids |= set(links.loc[links["event_id"].isin(frame["event_id"].astype(str)), "source_id"].astype(str))
    if "source_ids" in frame.columns:
        ids |= {s for cell in frame["source_ids"].dropna().astype(str) for s in cell.split(";")}
    if "source_id" in frame.columns:
        ids |= set(frame["source_id"].dropna().astype(str))
    return sources[sources["source_id"].isin(ids)].reset_index(drop=True)


def cite(frame: pd.DataFrame | None = None, *, style: str = "text", root: str | Path | None = None) -> str:
    """The package citation (``style="text"`` or ``"bibtex"``) followed by the upstream sources of the
    rows in ``frame``."""
    from ..contract.descriptor import read_package

    version = read_package(root).version
    head = citation_bibtex(version, root=root) if style == "bibtex" else citation_text(version, root=root) + "\n"
    if frame is None:
        return head
    src = sources_for(frame, root=root)
    if style == "bibtex":  # the whole output must parse as BibTeX: the sources are entries too
        return f"{head}\n@comment{{Upstream sources of these rows ({len(src)})}}\n\n{source_bibtex(src)}"
    lines = [head, f"Upstream sources of these rows ({len(src)}):"]
    for s in src.itertuples():
        date = "n.d." if pd.isna(s.date_published) else s.date_published.strftime("%Y-%m-%d")
        lines.append(f"- {s.publisher} ({date}). {s.title}. {s.url}")
    return "\n".join(lines) + "\n"
