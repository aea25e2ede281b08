"""Coverage and quality report: what the data holds, how well it is sourced, where it is thin.

``syriadata qa`` prints it as Markdown; ``docs/quality.md`` keeps the current output in the
repository (a test fails when it is stale).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..domain import CAPITAL_TYPES, SUCCESSION, is_change, status_codes
from .descriptor import read_package
from .tables import read_tables

# Mirrors and copies of Wikipedia are one source, not several independent ones.
_WIKI = re.compile(r"wiki|mirror", re.IGNORECASE)


def publisher_key(publisher: str) -> str:
    """Normalise a publisher so that copies of one outlet count once ("Wikipedia" for mirrors)."""
    if _WIKI.search(publisher):
        return "wikipedia"
    return re.sub(r"\s*\(.*?\)", "", publisher).strip().lower()


def independent_sources(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Number of distinct publishers citing each event (indexed by event_id)."""
    links = tables["event_sources"].merge(tables["sources"][["source_id", "publisher"]], on="source_id")
    links["key"] = links["publisher"].astype(str).map(publisher_key)
    counts = links.groupby("event_id")["key"].nunique()
    return counts.reindex(tables["control_events"]["event_id"].astype(str), fill_value=0)


def chain_gaps(pkg, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Places whose chain of control does not link up (from the package's own chain check)."""
    from .checks import check_chains

    problems = check_chains(pkg, tables)
    return pd.DataFrame([{"row": p.row, "value": p.value, "problem": p.message} for p in problems],
                        columns=["row", "value", "problem"])


def _md(frame: pd.DataFrame, index: bool = True) -> str:
    """A Markdown table without the optional `tabulate` dependency."""
    frame = frame.reset_index() if index else frame
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def _evidence_section(pkg, t: dict[str, pd.DataFrame]) -> list[str]:
    """Per confidence level and claim status: how the rows rest on their sources (``x-evidence-rules``)."""
    from .checks import evidence_summary

    name = next((n for n in pkg.table_names if pkg.resource(n).get("x-evidence-rules")), None)
    if name is None:
        return []
    spec = pkg.resource(name)["x-evidence-rules"]
    rows = t[name]
    s = evidence_summary(pkg, t, name, spec).reset_index(drop=True)
    s.index = rows.index
    measures = pd.DataFrame({
        "rows": 1,
        "on place-naming sources": s["naming"] > 0,
        "one originator only": s["originators"] == 1,
        "mirrors only": s.get("mirror_only", pd.Series(False, index=s.index)) & (s["naming"] > 0),
        "party media only": s["party_only"] & (s["naming"] > 0),
        "no place-naming source": s["naming"] == 0,
    }, index=rows.index).astype(int)
    out = []
    for col in (spec["confidence"], spec["status"]):
        table = measures.groupby(rows[col].astype("string")).sum()
        order = [v for v in (rows[col].cat.categories if hasattr(rows[col], "cat") else table.index) if v in table.index]
        out += [f"By {col.replace('_', ' ')}:", "", _md(table.loc[order].rename_axis(col)), ""]
    src = t[spec["sources"]["resource"]]
    dated = src["date_published"].notna()
    noted = ~dated & src["date_note"].notna() if "date_note" in src else ~dated & False
    links = t[spec["links"]["resource"]]
    codes = links[spec["links"]["evidence"]].value_counts().rename("links").rename_axis("evidence")
    return [
        "## Evidence",
        "",
        "How each row rests on its sources (`x-evidence-rules` of `" + name + "`): a source names the place when its",
        "link is coded as naming it (`names_place_and_change`; for a baseline also `names_place`). Originators count",
        "copies of one wire story, and Wikipedia and its mirrors, once.",
        "",
        *out,
        f"- Sources with a publication date: {dated.sum()} of {len(src)} ({dated.mean():.1%}); "
        f"with a date note instead: {noted.sum()} ({noted.mean():.1%}).",
        "",
        "Links per evidence code:",
        "",
        _md(codes.to_frame()),
        "",
    ]


def coverage(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Changes of control (baselines, observations and successions left out) by year of the window's
    start and by region: the first-order unit's ``region`` in each country, prefixed by the country."""
    ev, places, admin1 = tables["control_events"], tables["places"], tables["admin1"]
    changes = ev[is_change(ev["event_type"]) & (ev["event_type"].astype("string") != SUCCESSION)
                 & (ev["claim_status"].astype("string") != "retracted")]
    info = places.set_index(places["place_id"].astype(str))
    unit = admin1.set_index(admin1["admin1_pcode"].astype(str))
    pcode = changes["place_id"].astype(str).map(info["admin1_pcode"].astype(str))
    country = changes["place_id"].astype(str).map(info["country"].astype(str))
    region = pcode.map(unit["region"].astype("string")).fillna("")
    label = country + region.map(lambda r: f" {r}" if r else "")
    table = pd.crosstab(pd.to_datetime(changes["date_start"]).dt.year.rename("year"), label.rename("region"),
                        margins=True, margins_name="total")
    return table


def _coverage_section(pkg, t) -> list[str]:
    from .checks import declared, evidence_summary

    ev, places = t["control_events"], t["places"]
    table = coverage(t)
    caps = set(places.loc[places["place_type"].isin(CAPITAL_TYPES), "place_id"].astype(str))
    lines = ["## Coverage", "", "Changes of control by year of the window's start and by region (baselines, observations "
             "and successions left out; retracted rows too).", "", _md(table.rename_axis(columns=None)), ""]
    succ = ev[ev["event_type"].astype("string") == SUCCESSION]
    lines.append(f"- Successions (a holder's identity changed, no movement of forces): {len(succ)}.")
    for name, spec in declared("x-evidence-rules")(pkg):
        summary = evidence_summary(pkg, t, name, spec)
        frame = t[name]
        change = is_change(frame["event_type"]) & (frame["event_type"].astype("string") != SUCCESSION)
        at_cap = frame["place_id"].astype(str).isin(caps) & change & (frame["claim_status"].astype("string") != "retracted")
        ids = frame.loc[at_cap, "event_id"].astype(str)
        weak = ids[summary["originators"].reindex(ids).to_numpy() < 2]
        lines.append(f"- Changes of control of capitals named by fewer than two distinct originators: {len(weak)} of "
                     f"{len(ids)}" + (f" ({', '.join(weak)})" if len(weak) else "") + ".")
    return lines + [""]


def quality_report(root: str | Path | None = None) -> str:
    """The report as Markdown."""
    t = read_tables(read_package(root))
    pkg = read_package(root)
    ev, places, sources = t["control_events"], t["places"], t["sources"]
    gov = t["admin1"].set_index("admin1_pcode")["name"]
    changes = ev[is_change(ev["event_type"])]
    statuses = status_codes(t["actors"])
    indep = independent_sources(t)
    caps = places.loc[places["place_type"].isin(CAPITAL_TYPES), "place_id"]
    cap_changes = changes[changes["place_id"].isin(caps)]
    weak_caps = cap_changes[indep.reindex(cap_changes["event_id"].astype(str)).to_numpy() < 2]
    baseline_places = set(ev.loc[ev["event_type"] == "baseline", "place_id"])
    no_baseline = sorted(set(places["place_id"]) - baseline_places)
    gaps = chain_gaps(pkg, t)

    by_type = pd.crosstab(places["place_type"], places["admin1_pcode"].map(gov).rename("admin1"))
    by_type = by_type.loc[by_type.sum(axis=1) > 0]
    conf = pd.crosstab(ev["confidence"], ev["claim_status"], margins=True, margins_name="total")
    share2 = (indep >= 2).mean()
    share2_changes = (indep.reindex(changes["event_id"].astype(str)) >= 2).mean()
    out = [
        f"# Data quality report: syriadata {pkg.version}",
        "",
        "Generated by `syriadata qa` from the bundled data package. Independent sources are counted by",
        "publisher; Wikipedia and its mirrors count as one publisher.",
        "",
        "## Totals",
        "",
        _md(pd.DataFrame({"rows": {n: len(f) for n, f in t.items()}}).rename_axis("table")),
        "",
        "## Places by type and first-order administrative unit",
        "",
        _md(by_type.rename_axis(columns=None)),
        "",
        "## Events by confidence and claim status",
        "",
        _md(conf.rename_axis(columns=None)),
        "",
        "## Sourcing",
        "",
        f"- Events with two or more independent sources: {share2:.1%} of all events, "
        f"{share2_changes:.1%} of changes of control (baselines excluded).",
        f"- Changes of control of capitals (national and first-order) with fewer than two independent sources: "
        f"{len(weak_caps)} of {len(cap_changes)}"
        + (f" ({', '.join(weak_caps['event_id'].astype(str))})" if len(weak_caps) else "") + ".",
        f"- Sources without a publication date: {sources['date_published'].isna().sum()} of {len(sources)}.",
        "",
        *_evidence_section(pkg, t),
        *_coverage_section(pkg, t),
        "## Gaps",
        "",
        f"- Places without a baseline: {len(no_baseline)}" + (f" ({', '.join(no_baseline)})" if no_baseline else "") + ".",
        f"- Places whose chain of control has a gap: {len(gaps)}"
        + (f" ({'; '.join(gaps['problem'])})" if len(gaps) else "") + ".",
        f"- Places without coordinates: {places['latitude'].isna().sum()} of {len(places)}.",
        f"- Places without an Arabic name: {places['name_ar'].isna().sum()}; without a population: "
        f"{places['population'].isna().sum()}.",
        f"- Events whose controller after is a status code ({', '.join(f'`{c}`' for c in statuses)}): "
        f"{changes['controller_after'].isin(statuses).sum()}.",
        "",
    ]
    return "\n".join(out)
