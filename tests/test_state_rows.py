"""Rows that state a holder (observations) and rows that change only the holder's identity
(successions): the chain rules, the evidence rules, the counts of the quality report and the
analyses, on the synthetic package whose numbers are worked out by hand (tests/synthetic.py)."""
from __future__ import annotations

import pandas as pd
import pytest

import synthetic
from syriadata.contract.descriptor import read_package
from syriadata.contract.qa import coverage
from syriadata.contract.tables import read_tables
from syriadata.contract.tidy import tidy_package
from syriadata.contract.validate import validate_package
from syriadata.errors import UsageError
from syriadata.explore.page import page_country


def _append(root, table, rows):
    path = root / "data" / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).fillna("")
    frame.to_csv(path, index=False, lineterminator="\n")
    tidy_package(root)


def _event(eid, place, day, before, after, kind):
    return {"event_id": eid, "place_id": place, "date_start": day, "date_end": day, "date_precision": "day",
            "controller_before": before, "controller_after": after, "event_type": kind,
            "claim_status": "confirmed", "confidence": "high", "episode_id": "", "notes": ""}


def _links(eid, evidence):
    return [{"event_id": eid, "source_id": s, "evidence": evidence} for s in synthetic.SOURCES]


@pytest.fixture
def pkg(tmp_path):
    return synthetic.build(tmp_path / "syn")


def _rules(root):
    return sorted({(p.rule, p.column) for p in validate_package(root)})


def test_an_observation_with_place_naming_sources_validates(pkg):
    # Kabul is held by gov from its baseline (1 Jul) to its fall (15 Aug): an observation on 3 Aug keeps it
    _append(pkg, "control_events", [_event("E9100", "kabul", "2021-08-03", "gov", "gov", "observation")])
    _append(pkg, "event_sources", _links("E9100", "names_place"))  # a baseline's evidence suffices
    assert _rules(pkg) == []


def test_an_observation_that_changes_the_holder_is_a_chain_problem(pkg):
    _append(pkg, "control_events", [_event("E9100", "kabul", "2021-08-03", "gov", "movement", "observation")])
    _append(pkg, "event_sources", _links("E9100", "names_place"))
    problems = [p for p in validate_package(pkg) if p.rule == "chain"]
    # the observation itself, and Kabul's fall on 15 Aug whose controller_before gov no longer follows
    assert any("changes nothing" in p.message and p.value == "movement" for p in problems)
    assert any("left it with 'movement'" in p.message for p in problems)


def test_an_observation_cannot_open_a_chain(pkg):
    _append(pkg, "places", [{"place_id": "ghazni", "name": "Ghazni", "place_type": "admin1_capital",
                             "country": "AFG", "admin1_pcode": "AF01", "latitude": "33.5492",
                             "longitude": "68.4233", "coord_source_id": synthetic.SOURCE}])
    _append(pkg, "control_events", [_event("E9100", "ghazni", "2021-08-03", "", "gov", "observation")])
    _append(pkg, "event_sources", _links("E9100", "names_place"))
    messages = [p.message for p in validate_package(pkg) if p.rule == "chain"]
    assert any("cannot be the first row" in m for m in messages)


def test_a_change_named_only_as_a_holder_is_not_confirmed(pkg):
    # names_place counts for baselines and observations, not for a change (control: the observation above)
    _append(pkg, "control_events", [_event("E9100", "herat", "2021-08-20", "movement", "gov", "recapture")])
    _append(pkg, "event_sources", _links("E9100", "names_place"))
    assert ("evidence-confirmed", "claim_status") in _rules(pkg)


def test_successions_and_observations_are_not_counted_as_changes(pkg):
    _append(pkg, "actors", [{"actor_id": "newstate", "name": "Test State", "actor_type": "government"}])
    _append(pkg, "control_events", [_event("E9100", "herat", "2021-08-20", "movement", "newstate", "succession"),
                                    _event("E9101", "kabul", "2021-08-03", "gov", "gov", "observation")])
    _append(pkg, "event_sources", _links("E9100", "names_place_and_change") + _links("E9101", "names_place"))
    assert _rules(pkg) == []
    table = coverage(read_tables(read_package(pkg)))
    # by hand: the synthetic package has 5 changes of control, all in 2021 (E9007-E9011; E9001-E9006
    # are baselines); the succession and the observation are left out
    assert table.loc[2021, "total"] == 5
    assert table.loc["total", "total"] == 5


def test_a_succession_does_not_move_the_falls_of_the_defender(pkg):
    from syriadata.analysis import default_studies, falls, time_to_share

    before = time_to_share(falls(default_studies(root=pkg)[0], root=pkg))
    _append(pkg, "actors", [{"actor_id": "newstate", "name": "Test State", "actor_type": "government"}])
    _append(pkg, "control_events", [_event("E9100", "herat", "2021-08-20", "movement", "newstate", "succession")])
    _append(pkg, "event_sources", _links("E9100", "names_place_and_change"))
    after = time_to_share(falls(default_studies(root=pkg)[0], root=pkg))
    pd.testing.assert_frame_equal(before, after)
    # the numbers themselves, from synthetic.EXPECTED (T50 is the 3rd fall: day 13)
    assert after.set_index(["label", "dating"]).loc[("T50", "earliest"), "days"] == 13


def test_the_explorer_shows_one_country():
    places = pd.DataFrame({"place_id": ["a", "b", "c"], "country": ["SYR", "AFG", "AFG"]})
    episodes = pd.DataFrame({"episode_id": ["x", "y"], "country": ["SYR", "AFG"], "default_study": [False, True]})
    assert page_country(places, episodes, None) == "AFG"          # the default study's country
    assert page_country(places, episodes.assign(default_study=False), None) == "AFG"  # most places
    assert page_country(places, episodes, "SYR") == "SYR"
    with pytest.raises(UsageError, match="IRQ"):
        page_country(places, episodes, "IRQ")


def test_an_observation_does_not_split_a_spell_or_move_since(pkg):
    from syriadata.engine.control import control_at, timeline
    from syriadata.engine.vectorised import panel
    from syriadata.loaders import load

    _append(pkg, "control_events", [_event("E9100", "kabul", "2021-08-03", "gov", "gov", "observation")])
    _append(pkg, "event_sources", _links("E9100", "names_place"))
    events = load("control_events", root=pkg)
    spells = timeline(events=events)
    kabul = spells[spells["place_id"] == "kabul"]
    # by hand: gov from the 1 Jul baseline to the 15 Aug fall, then movement: two spells, not three
    assert kabul["controller"].tolist() == ["gov", "movement"]
    assert kabul["start_from"].iloc[0] == pd.Timestamp("2021-07-01")
    snap = control_at("2021-08-05", events=events).set_index("place_id")
    assert snap.at["kabul", "since_from"] == pd.Timestamp("2021-07-01")
    assert snap.at["kabul", "event_id"] == "E9001"
    day = panel("2021-08-03", "2021-08-03", events=events).set_index("place_id")
    assert day.at["kabul", "controller"] == "gov" and not day.at["kabul", "uncertain"]
