"""control_at and timeline on hand-made chains, and on the real data against the seed article."""
from __future__ import annotations

import pandas as pd
import pytest

import syriadata
from fixtures import TOY


def at(day, **kw):
    return syriadata.control_at(day, events=TOY, **kw).set_index("place_id")


def test_certain_day_changes_at_end_of_day():
    assert at("2024-12-04").at["hama", "controller"] == "syrian_government"
    snap = at("2024-12-05")
    assert snap.at["hama", "controller"] == "hts"
    assert not snap.at["hama", "uncertain"]
    assert snap.at["hama", "since_from"] == pd.Timestamp("2024-12-05")


def test_window_is_uncertain_and_resolution_decides():
    latest, earliest = at("2024-12-06"), at("2024-12-06", resolve="earliest")
    assert latest.at["daraa", "uncertain"] and earliest.at["daraa", "uncertain"]
    assert latest.at["daraa", "controller"] == "syrian_government"
    assert latest.at["daraa", "controller_alternative"] == "southern_operations_room"
    assert earliest.at["daraa", "controller"] == "southern_operations_room"
    assert earliest.at["daraa", "controller_alternative"] == "syrian_government"
    after = at("2024-12-07")
    assert after.at["daraa", "controller"] == "southern_operations_room"
    assert not after.at["daraa", "uncertain"]
    assert pd.isna(after.at["daraa", "controller_alternative"])


def test_retracted_event_is_ignored():
    snap = at("2024-12-06")
    assert snap.at["homs", "controller"] == "syrian_government"
    assert not snap.at["homs", "uncertain"]


def test_before_the_record_there_is_no_controller():
    assert at("2024-01-01")["controller"].isna().all()


def test_midpoint_of_two_day_window_is_its_first_day():
    assert at("2024-12-07", resolve="midpoint").at["homs", "controller"] == "hts"
    assert at("2024-12-06", resolve="midpoint").at["homs", "controller"] == "syrian_government"


def test_bad_resolution_is_rejected():
    with pytest.raises(ValueError, match="earliest, latest, midpoint"):
        at("2024-12-06", resolve="soonest")


def test_timeline_spells():
    spells = syriadata.timeline(events=TOY)
    homs = spells[spells["place_id"] == "homs"].reset_index(drop=True)
    assert list(homs["controller"]) == ["syrian_government", "hts"]
    assert homs.at[0, "end_from"] == pd.Timestamp("2024-12-07") and homs.at[0, "end_to"] == pd.Timestamp("2024-12-08")
    assert list(homs["open"]) == [False, True]
    assert len(spells) == 6  # 3 baselines + 3 live changes; the retracted one makes no spell
