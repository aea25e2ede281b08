"""Analyses on small fixtures whose answers are worked out by hand (the value is in each test)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fixtures import TOY, events
from syriadata.analysis.episodes import compare_studies
from syriadata.analysis.headlines import headlines
from syriadata.analysis.losses import collapse_curve, daily_captures, falls, peak_rate, time_to_share
from syriadata.analysis.shares import control_shares
from syriadata.analysis.study import Study
from syriadata.analysis.survival import cumulative_incidence, kaplan_meier, logrank

PLACES = pd.DataFrame({
    "place_id": ["hama", "daraa", "homs"], "name": ["Hama", "Daraa", "Homs"],
    "place_type": ["admin1_capital"] * 3, "admin1_pcode": ["SY05", "SY12", "SY04"],
    "population": pd.array([400, 100, 500], dtype="Int64"),
    "latitude": [35.13, 32.62, 34.72], "longitude": [36.76, 36.10, 36.73],
})
TOY_STUDY = Study(episode_id="toy", name="Toy offensive", defender="syrian_government", start="2024-11-27",
                  end="2024-12-10", headline_places=("hama", "homs"))


@pytest.fixture
def toy_falls():
    return falls(TOY_STUDY, events=TOY, places=PLACES).set_index("place_id")


def test_days_to_fall_by_hand(toy_falls):
    # Hama: 27 Nov -> 5 Dec is 8 days, a certain day
    assert toy_falls.loc["hama", ["days_earliest", "days_latest"]].tolist() == [8, 8]
    # Daraa: window 6-7 Dec -> 9 or 10 days
    assert toy_falls.loc["daraa", ["days_earliest", "days_latest"]].tolist() == [9, 10]
    # Homs: the retracted 6 Dec claim is ignored; window 7-8 Dec -> 10 or 11 days
    assert toy_falls.loc["homs", ["days_earliest", "days_latest"]].tolist() == [10, 11]
    assert toy_falls.loc["homs", "event_id"] == "E0007"
    assert toy_falls["fell_earliest"].all() and toy_falls["fell_latest"].all()
    assert toy_falls.loc["daraa", "captured_by"] == "southern_operations_room"


def test_t10_t50_t90_by_hand(toy_falls):
    got = time_to_share(toy_falls.reset_index()).set_index(["label", "dating"])["days"]
    # three capitals; T50 needs two of them: earliest days 8, 9, 10 -> 9; latest 8, 10, 11 -> 10
    assert got[("T10", "earliest")] == 8 and got[("T50", "earliest")] == 9 and got[("T90", "earliest")] == 10
    assert got[("T50", "latest")] == 10 and got[("T90", "latest")] == 11


def test_collapse_curve_and_daily_counts(toy_falls):
    curve = collapse_curve(toy_falls.reset_index(), TOY_STUDY).set_index(["dating", "day"])
    assert curve.loc[("earliest", 8), "fallen"] == 1 and curve.loc[("earliest", 9), "fallen"] == 2
    assert curve.loc[("latest", 9), "fallen"] == 1 and curve.loc[("latest", 11), "share"] == 1.0
    assert curve.index.get_level_values("day").max() == 13  # 27 Nov .. 10 Dec: the study's own days only
    latest = daily_captures(toy_falls.reset_index(), TOY_STUDY).query("dating == 'latest'").set_index("day")
    assert latest.loc[10, "held_at_start_of_day"] == 2 and latest.loc[11, "held_at_start_of_day"] == 1


def test_kaplan_meier_by_hand(toy_falls):
    km = kaplan_meier(toy_falls.reset_index())
    latest = km[km["dating"] == "latest"].set_index("day")["survival"]
    # three places, one falls on each of days 8, 10, 11: S = 2/3, 1/3, 0
    assert latest.loc[0] == 1.0
    assert latest.loc[8] == pytest.approx(2 / 3) and latest.loc[10] == pytest.approx(1 / 3) and latest.loc[11] == 0


def synthetic(n=40, seed=3):
    """Capitals fall early, others late: any sound test must see it."""
    rng = np.random.default_rng(seed)
    capital = np.arange(n) % 2 == 0
    days = np.where(capital, rng.integers(1, 6, n), rng.integers(8, 20, n))
    fell = rng.random(n) > 0.1
    t = pd.DataFrame({"place_id": [f"p{i}" for i in range(n)], "capital": capital.astype(float),
                      "group": np.where(capital, "capital", "other"),
                      "captured_by": np.where(rng.random(n) > 0.5, "a", "b")})
    for r in ["earliest", "latest"]:
        t[f"at_risk_{r}"], t[f"fell_{r}"], t[f"days_{r}"] = True, fell, np.where(fell, days, 25)
    return t


def test_logrank_sees_the_difference_and_marks_descriptive_groupings():
    t = synthetic()
    assert (logrank(t, "group")["p_value"] < 0.01).all()
    assert set(logrank(t, "group", descriptive=True)["use"]) == {"descriptive only"}
    assert logrank(t.assign(one="x"), "one")["p_value"].isna().all()  # one group: no test, no crash


def test_cumulative_incidence_sums_to_the_share_fallen():
    t = synthetic()
    cif = cumulative_incidence(t)
    final = cif[cif["dating"] == "latest"].groupby("actor")["incidence"].max().sum()
    assert final == pytest.approx(t["fell_latest"].mean(), abs=1e-9)


def test_control_shares_by_hand():
    shares = control_shares("2024-12-06", "2024-12-07", events=TOY, places=PLACES)
    day = shares[(shares["date"] == "2024-12-07") & (shares["dating"] == "latest")].set_index("controller")
    # Hama (400) hts, Daraa (100) SOR since 7 Dec, Homs (500) still government under latest dating
    assert day.loc["syrian_government", "share_population"] == pytest.approx(0.5)
    assert day.loc["hts", "places"] == 1 and day.loc["southern_operations_room", "share_places"] == pytest.approx(1 / 3)


def test_control_shares_skip_a_place_before_its_first_row():
    # a fourth place whose record starts on 7 Dec (pop. 1000): on 6 Dec it is not counted at all
    late = pd.concat([TOY, pd.DataFrame([{"event_id": "E0099", "place_id": "idlib", "date_start": "2024-12-07",
                                          "date_end": "2024-12-07", "controller_before": None,
                                          "controller_after": "hts", "claim_status": "confirmed"}])],
                     ignore_index=True)
    late["date_start"], late["date_end"] = pd.to_datetime(late["date_start"]), pd.to_datetime(late["date_end"])
    places = pd.concat([PLACES, pd.DataFrame({"place_id": ["idlib"], "name": ["Idlib"], "population": [1000],
                                              "place_type": ["admin1_capital"], "latitude": [35.93],
                                              "longitude": [36.63]})], ignore_index=True)
    shares = control_shares("2024-12-06", "2024-12-07", events=late, places=places)
    latest = shares[shares["dating"] == "latest"].set_index(["date", "controller"])
    # 6 Dec: Hama (400) hts, Daraa (100) and Homs (500) government: government 600 of 1000
    assert latest.loc[(pd.Timestamp("2024-12-06"), "syrian_government"), "share_population"] == pytest.approx(0.6)
    # 7 Dec: Idlib (1000) joins hts with Hama: 1400 of 2000
    assert latest.loc[(pd.Timestamp("2024-12-07"), "hts"), "share_population"] == pytest.approx(0.7)
    assert latest.loc[(pd.Timestamp("2024-12-07"), "hts"), "places"] == 2


def test_headlines_by_hand(toy_falls):
    h = headlines(toy_falls.reset_index(), TOY_STUDY).set_index("metric")
    assert h.loc["days to the fall of Hama", ["earliest", "latest"]].tolist() == [8, 8]
    assert h.loc["days to the fall of Homs", "latest"] == 11
    assert h.loc["T50: days until 50% of the focus places had fallen", "earliest"] == 9
    assert h.loc["places lost by 10 December 2024", "latest"] == 3
    assert h.loc["places syrian government held at the start", "latest"] == 3
    # the peak: under every dating the windows allow, 1 (spread out) to 2 (Daraa and Homs on 7 Dec)
    assert h.loc["most places lost in one day: exact range over every dating the windows allow",
                 ["earliest", "latest"]].tolist() == [1, 2]


def test_compare_studies_by_hand():
    places = PLACES.assign(place_type=["admin1_capital", "admin1_capital", "national_capital"])
    north = Study(episode_id="north", name="N", defender="syrian_government", start="2024-11-27", end="2024-12-10")
    got = compare_studies([north], events=TOY, places=places).set_index("dating")
    assert got.at["latest", "days_to_first_focus"] == 8  # Hama
    assert got.at["latest", "days_to_national_capital"] == 11  # Homs as the toy national capital
    assert got.at["latest", "share_of_time_to_national_capital"] == pytest.approx(3 / 11)
    assert got.at["earliest", "t50"] == 9 and got.at["latest", "t50"] == 10


def test_a_study_whose_defender_holds_nothing_is_listed_not_computed():
    from syriadata.analysis.episodes import usable_studies

    north = Study(episode_id="north", name="N", defender="syrian_government", start="2024-11-27", end="2024-12-10")
    nobody = Study(episode_id="nobody", name="X", defender="isis", start="2024-11-27", end="2024-12-10")
    # hts holds Hama only from 5 Dec in the toy table: nothing the day before 27 Nov
    later = Study(episode_id="later", name="L", defender="hts", start="2024-11-27", end="2024-12-10")
    ok, skipped = usable_studies([north, nobody, later], events=TOY, places=PLACES)
    assert [s.episode_id for s in ok] == ["north"]
    assert skipped["episode_id"].tolist() == ["nobody", "later"]
    assert "'isis' never controls a place" in skipped.at[0, "reason"]
    assert "holds no place at the end of 2024-11-26" in skipped.at[1, "reason"]


def test_peak_rate_bounds_by_hand():
    """Three certain falls: windows [day 0..2], [1..1], [2..2]: at most 2 on a day, at least 1."""
    ev = events([("E0001", "a", "2024-01-01", "2024-01-01", None, "d"),
                 ("E0002", "b", "2024-01-01", "2024-01-01", None, "d"),
                 ("E0003", "c", "2024-01-01", "2024-01-01", None, "d"),
                 ("E0004", "a", "2024-01-10", "2024-01-12", "d", "x"),
                 ("E0005", "b", "2024-01-11", "2024-01-11", "d", "x"),
                 ("E0006", "c", "2024-01-12", "2024-01-12", "d", "x")])
    study = Study(episode_id="s", name="s", defender="d", start="2024-01-10", end="2024-01-20")
    peak = peak_rate(falls(study, events=ev, places=pd.DataFrame({"place_id": list("abc")})), study)
    exact = peak.set_index("dating").loc["any (exact bounds)"]
    assert (exact["low"], exact["high"]) == (1, 2)
    # earliest: a on day 0, b day 1, c day 2: peak 1; latest: a and c on day 2: peak 2
    assert peak.set_index("dating").loc[["earliest", "latest"], "captures"].tolist() == [1, 2]
