"""Every row as strong as its evidence: each rule of `x-evidence-rules` breaks on its own."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

import syriadata
from syriadata.contract.validate import validate_package
from test_validate_cli import edit_cell

EV = "data/control_events.csv"
EVIDENCE_RULES = {"evidence-confirmed", "evidence-high", "evidence-area-only", "evidence-party-only",
                  "evidence-denied", "evidence-wikipedia-only"}


def frame(pkg: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(pkg / "data" / f"{table}.csv", dtype=str, keep_default_na=False)


def set_links(pkg: Path, event_id: str, **values) -> None:
    """Set columns of every link of one event."""
    path = pkg / "data" / "event_sources.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    for r in rows[1:]:
        if r[0] == event_id:
            for col, v in values.items():
                r[head.index(col)] = v
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_source(pkg: Path, source_id: str, column: str, value: str) -> None:
    src = frame(pkg, "sources")
    edit_cell(pkg, "sources", int(src.index[src["source_id"] == source_id][0]), column, value)


def evidence_problems(pkg: Path):
    return [p for p in validate_package(pkg) if p.rule in EVIDENCE_RULES]


def pick(pkg: Path, *, status: str, conf: str, baseline: bool = False, min_links: int = 1) -> tuple[int, str]:
    ev, links = frame(pkg, "control_events"), frame(pkg, "event_sources")
    n = links.groupby("event_id").size()
    ok = (ev["claim_status"] == status) & (ev["confidence"] == conf) & ((ev["event_type"] == "baseline") == baseline)
    ok &= ev["event_id"].map(n).fillna(0) >= min_links
    i = int(ev.index[ok][0])
    return i, ev.at[i, "event_id"]


def only(problems, row: int, column: str, rule: str):
    assert [(p.file, p.row, p.column, p.rule) for p in problems] == [(EV, row + 2, column, rule)], problems


def test_bundled_package_has_no_evidence_problems():
    assert evidence_problems(syriadata.contract.files.bundled_root()) == []


def test_every_source_has_a_date_or_a_date_note():
    src = syriadata.load_sources()
    assert (src["date_published"].notna() | src["date_note"].notna()).all()


def test_a_missing_date_note_is_reported(package_copy):
    src = frame(package_copy, "sources")
    i = int(src.index[src["date_published"] == ""][0])
    edit_cell(package_copy, "sources", i, "date_note", "")
    assert any(p.rule == "date-note" and p.row == i + 2 and p.file == "data/sources.csv"
               for p in validate_package(package_copy))


def test_confirmed_needs_a_source_independent_of_the_new_controller(package_copy):
    i, eid = pick(package_copy, status="confirmed", conf="medium")
    ev = frame(package_copy, "control_events")
    links = frame(package_copy, "event_sources")
    for sid in links.loc[links["event_id"] == eid, "source_id"]:
        set_source(package_copy, sid, "party_actor_id", ev.at[i, "controller_after"])
        set_source(package_copy, sid, "originator_id", "afp")  # not Wikipedia: only one rule may break
    problems = [p for p in evidence_problems(package_copy) if p.row == i + 2]
    only(problems, i, "claim_status", "evidence-confirmed")


def test_high_needs_two_originators(package_copy):
    i, eid = pick(package_copy, status="confirmed", conf="high")
    links = frame(package_copy, "event_sources")
    for sid in links.loc[links["event_id"] == eid, "source_id"]:
        set_source(package_copy, sid, "originator_id", "afp")
    problems = [p for p in evidence_problems(package_copy) if p.row == i + 2]
    only(problems, i, "confidence", "evidence-high")


def test_no_source_naming_the_place_is_at_most_low(package_copy):
    i, eid = pick(package_copy, status="claimed", conf="medium")
    set_links(package_copy, eid, evidence="reports_area")
    only(evidence_problems(package_copy), i, "confidence", "evidence-area-only")


def test_party_media_of_one_actor_alone_is_a_claim(package_copy):
    i, eid = pick(package_copy, status="confirmed", conf="medium")
    ev = frame(package_copy, "control_events")
    other = "iran" if ev.at[i, "controller_after"] != "iran" else "russia"
    links = frame(package_copy, "event_sources")
    for sid in links.loc[links["event_id"] == eid, "source_id"]:
        set_source(package_copy, sid, "party_actor_id", other)
    problems = [p for p in evidence_problems(package_copy) if p.row == i + 2]
    only(problems, i, "claim_status", "evidence-party-only")


def test_a_denial_makes_a_row_disputed_unless_settled(package_copy):
    i, eid = pick(package_copy, status="claimed", conf="low")
    links = frame(package_copy, "event_sources")
    first = links.index[links["event_id"] == eid][0]
    edit_cell(package_copy, "event_sources", int(first), "evidence", "denies")
    only(evidence_problems(package_copy), i, "claim_status", "evidence-denied")
    ev = frame(package_copy, "control_events")
    edit_cell(package_copy, "control_events", i, "notes", ev.at[i, "notes"] + " settled: later reports agree.")
    assert evidence_problems(package_copy) == []


def test_wikipedia_alone_never_confirms(package_copy):
    i, eid = pick(package_copy, status="confirmed", conf="medium")
    links = frame(package_copy, "event_sources")
    for sid in links.loc[links["event_id"] == eid, "source_id"]:
        set_source(package_copy, sid, "originator_id", "wikipedia")
        set_source(package_copy, sid, "party_actor_id", "")
    problems = [p for p in evidence_problems(package_copy) if p.row == i + 2]
    only(problems, i, "claim_status", "evidence-wikipedia-only")


def test_a_malformed_rule_property_is_a_descriptor_problem(package_copy):
    import json

    path = package_copy / "datapackage.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    ce = next(r for r in d["resources"] if r["name"] == "control_events")
    ce["x-evidence-rules"]["sources"]["originator"] = "no_such_field"
    path.write_text(json.dumps(d), encoding="utf-8")
    problems = validate_package(package_copy)
    assert any(p.column and "x-evidence-rules" in p.column for p in problems), problems
