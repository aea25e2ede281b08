"""Analyses on small fixtures whose answers are worked out by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fixtures import TOY, events
from syriadata.analysis.episodes import compare_episodes
from syriadata.analysis.losses import collapse_curve, daily_captures, falls, peak_rate, time_to_share
from syriadata.analysis.rates import capture_rate_model
from syriadata.analysis.shares import control_shares
from syriadata.analysis.speed import speed_of_advance
from syriadata.analysis.study import Study
from syriadata.analysis.survival import cox, cumulative_incidence, kaplan_meier, logrank

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
    assert toy_falls.loc["hama", ["days_earliest", "days_midpoint", "days_latest"]].tolist() == [8, 8, 8]
    # Daraa: window 6-7 Dec -> 9 or 10 days; the midpoint of a two-day window is its first day
    assert toy_falls.loc["daraa", ["days_earliest", "days_midpoint", "days_latest"]].tolist() == [9, 9, 10]
    # Homs: the retracted 6 Dec claim is ignored; window 7-8 Dec -> 10 or 11 days
    assert toy_falls.loc["homs", ["days_earliest", "days_latest"]].tolist() == [10, 11]
    assert toy_falls.loc["homs", "event_id"] == "E0007"
    assert toy_falls["fell"].all() and toy_falls.loc["daraa", "captured_by"] == "southern_operations_room"


def test_unfallen_place_is_censored_at_the_end():
    study = Study(episode_id="toy", name="Toy", defender="syrian_government", start="2024-11-27", end="2024-12-06")
    t = falls(study, events=TOY, places=PLACES).set_index("place_id")
    assert not t.loc["homs", "fell"] and t.loc["homs", "days_latest"] == 9  # censored on 6 Dec
    assert t.loc["daraa", "fell"]  # its window starts on 6 Dec, inside the period


def test_t10_t50_t90_by_hand(toy_falls):
    t = time_to_share(toy_falls.reset_index())
    got = t.set_index(["label", "resolution"])["days"]
    # three capitals; T50 needs two of them: earliest days 8, 9, 10 -> 9; latest 8, 10, 11 -> 10
    assert got[("T10", "earliest")] == 8 and got[("T50", "earliest")] == 9 and got[("T90", "earliest")] == 10
    assert got[("T50", "latest")] == 10 and got[("T90", "latest")] == 11


def test_collapse_curve_and_peak(toy_falls):
    curve = collapse_curve(toy_falls.reset_index(), TOY_STUDY).set_index(["resolution", "day"])
    assert curve.loc[("earliest", 8), "fallen"] == 1 and curve.loc[("earliest", 9), "fallen"] == 2
    assert curve.loc[("latest", 9), "fallen"] == 1 and curve.loc[("latest", 11), "share"] == 1.0
    peak = peak_rate(toy_falls.reset_index(), TOY_STUDY).set_index("resolution")
    assert (peak["captures"] == 1).all()
    daily = daily_captures(toy_falls.reset_index(), TOY_STUDY)
    latest = daily[daily["resolution"] == "latest"].set_index("day")
    assert latest.loc[10, "held_at_start_of_day"] == 2 and latest.loc[11, "held_at_start_of_day"] == 1


def test_kaplan_meier_by_hand(toy_falls):
    km = kaplan_meier(toy_falls.reset_index())
    latest = km[km["resolution"] == "latest"].set_index("day")["survival"]
    # three places, one falls on each of days 8, 10, 11: S = 2/3, 1/3, 0
    assert latest.loc[0] == 1.0
    assert latest.loc[8] == pytest.approx(2 / 3) and latest.loc[10] == pytest.approx(1 / 3) and latest.loc[11] == 0


def synthetic(n=40, seed=3):
    """Capitals fall early, others late: any sound model must see it."""
    rng = np.random.default_rng(seed)
    capital = np.arange(n) % 2 == 0
    days = np.where(capital, rng.integers(1, 6, n), rng.integers(8, 20, n))
    fell = rng.random(n) > 0.1
    t = pd.DataFrame({"place_id": [f"p{i}" for i in range(n)], "capital": capital.astype(float),
                      "group": np.where(capital, "capital", "other"), "fell": fell,
                      "captured_by": np.where(rng.random(n) > 0.5, "a", "b")})
    for res in ["earliest", "midpoint", "latest"]:
        t[f"days_{res}"] = np.where(fell, days, 25)
    return t


def test_logrank_and_cox_see_the_difference():
    t = synthetic()
    assert (logrank(t, "group")["p_value"] < 0.01).all()
    model = cox(t, ["capital"])
    assert (model["hazard_ratio"] > 2).all() and (model["p_value"] < 0.01).all()


def test_cumulative_incidence_sums_to_the_share_fallen():
    t = synthetic()
    cif = cumulative_incidence(t)
    final = cif[cif["resolution"] == "midpoint"].groupby("actor")["incidence"].max().sum()
    assert final == pytest.approx(t["fell"].mean(), abs=1e-9)


def test_capture_rate_model_sees_acceleration():
    # 100 places; losses double every day: 1, 2, 4, 8, 16, 32
    counts = [1, 2, 4, 8, 16, 32]
    days = np.repeat(np.arange(6), counts)
    t = pd.DataFrame({"fell": True, **{f"days_{r}": days for r in ["earliest", "midpoint", "latest"]}})
    t = pd.concat([t, pd.DataFrame({"fell": [False] * 37, **{f"days_{r}": 5 for r in ["earliest", "midpoint", "latest"]}})],
                  ignore_index=True)
    study = Study(episode_id="s", name="s", defender="d", start="2024-01-01", end="2024-01-06")
    fit = capture_rate_model(t, study).set_index("resolution")
    assert (fit["daily_growth"] > 1.5).all()
    assert (fit["rate_day0"] < 0.05).all()


def test_speed_of_advance_by_hand():
    """An actor moves one degree of latitude (111.2 km) north per day from its start line."""
    places = pd.DataFrame({"place_id": ["base", "p1", "p2", "p3"], "latitude": [33.0, 34.0, 35.0, 36.0],
                           "longitude": [36.5] * 4, "place_type": "town", "name": ["b", "1", "2", "3"],
                           "admin1_pcode": "SY04", "population": pd.array([1, 1, 1, 1], dtype="Int64")})
    ev = events([("E0001", "base", "2024-01-01", "2024-01-01", None, "x"),
                 ("E0002", "p1", "2024-01-01", "2024-01-01", None, "gov"),
                 ("E0003", "p2", "2024-01-01", "2024-01-01", None, "gov"),
                 ("E0004", "p3", "2024-01-01", "2024-01-01", None, "gov"),
                 ("E0005", "p1", "2024-01-11", "2024-01-11", "gov", "x"),
                 ("E0006", "p2", "2024-01-12", "2024-01-12", "gov", "x"),
                 ("E0007", "p3", "2024-01-13", "2024-01-13", "gov", "x")])
    study = Study(episode_id="s", name="s", defender="gov", start="2024-01-10", end="2024-01-20", initiators=("x",))
    t = falls(study, events=ev, places=places)
    speed = speed_of_advance(t, study, events=ev, places=places).set_index("resolution")
    assert speed.loc["midpoint", "origin"] == "start line"
    assert speed.loc["midpoint", "max_km"] == pytest.approx(333.6, abs=1)
    assert speed.loc["midpoint", "km_per_day"] == pytest.approx(111.2, abs=0.5)
    assert speed.loc["midpoint", "slope_km_per_day"] == pytest.approx(111.2, abs=0.5)


def test_control_shares_by_hand():
    shares = control_shares("2024-12-06", "2024-12-07", events=TOY, places=PLACES)
    day = shares[(shares["date"] == "2024-12-07") & (shares["resolution"] == "latest")].set_index("controller")
    # Hama (400) hts, Daraa (100) SOR since 7 Dec, Homs (500) still government under latest dating
    assert day.loc["syrian_government", "share_population"] == pytest.approx(0.5)
    assert day.loc["hts", "places"] == 1 and day.loc["southern_operations_room", "share_places"] == pytest.approx(1 / 3)


def test_compare_episodes_by_hand():
    ev = TOY.copy()
    ev.loc[ev["event_id"].isin(["E0004", "E0007"]), "episode_id"] = "north"
    ev.loc[ev["event_id"] == "E0005", "episode_id"] = "south"
    eps = pd.DataFrame({"episode_id": ["north", "south"], "name": ["N", "S"],
                        "date_start": pd.to_datetime(["2024-11-27", "2024-12-06"])})
    places = PLACES.assign(place_type=["admin1_capital", "admin1_capital", "national_capital"])
    got = compare_episodes(events=ev, places=places, episodes=eps).set_index(["episode_id", "resolution"])
    assert got.loc[("north", "latest"), "days_to_first_capital"] == 8  # Hama
    assert got.loc[("north", "latest"), "days_to_national_capital"] == 11  # Homs as the toy national capital
    assert got.loc[("north", "latest"), "first_capital_to_national_capital"] == 3
    assert got.loc[("south", "earliest"), "days_to_first_capital"] == 0
    assert got.loc[("north", "earliest"), "peak_changes_per_day"] == 1


def test_headlines_by_hand(toy_falls):
    from syriadata.analysis.headlines import headlines

    h = headlines(toy_falls.reset_index(), TOY_STUDY).set_index("metric")
    assert h.loc["days to the fall of Hama"].tolist() == [8, 8, 8]
    assert h.loc["days to the fall of Homs", "latest"] == 11
    assert h.loc["T50: days until 50% of the focus places had fallen", "earliest"] == 9
    assert h.loc["places syrian government held at the start", "latest"] == 3
    assert h.loc["places lost by the end of the period", "midpoint"] == 3
