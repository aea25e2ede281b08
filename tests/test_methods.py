"""Known-answer tests for the treatment of uncertain dates and of the end of the period.

Each test builds a small table whose true answer is worked out by hand (or set by construction)
and checks the statistic against it: the defects a methods review found in 0.2.0 would fail them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fixtures import events
from syriadata.analysis.dating import imputed, rubin, summarise
from syriadata.analysis.episodes import compare_studies
from syriadata.analysis.hazard import change_point, day_counts, hazard_trend, profile
from syriadata.analysis.losses import falls, time_to_share
from syriadata.analysis.speed import speed_of_advance
from syriadata.analysis.study import Study
from syriadata.analysis.survival import cox

KM_PER_DEGREE = 111.195  # great-circle km per degree of latitude on the engine's sphere


def study(**kw):
    base = dict(episode_id="s", name="s", defender="d", start="2024-01-10", end="2024-01-20")
    return Study(**{**base, **kw})


def places_for(ids, lat=None):
    return pd.DataFrame({"place_id": ids, "latitude": lat if lat is not None else [0.0] * len(ids),
                         "longitude": [0.0] * len(ids), "place_type": "town"})


def day(n):  # day n of the study (10 January 2024 is day 0)
    return str((pd.Timestamp("2024-01-10") + pd.Timedelta(days=n)).date())


# ------------------------------------------------------------------ falls() at the edges
def test_window_straddling_the_start_is_not_dropped():
    ev = events([("E0001", "a", "2024-01-01", "2024-01-01", None, "d"),
                 ("E0002", "a", day(-2), day(1), "d", "x")])
    t = falls(study(), events=ev, places=places_for(["a"])).set_index("place_id")
    # earliest: lost on day -2, before the start: not at risk; latest: at risk and lost on day 1
    assert not t.at["a", "at_risk_earliest"] and t.at["a", "at_risk_latest"]
    assert t.at["a", "fell_latest"] and t.at["a", "days_latest"] == 1 and t.at["a", "straddles_start"]


def test_window_closing_after_the_end_is_a_fall_only_where_its_day_is_inside():
    ev = events([("E0001", "a", "2024-01-01", "2024-01-01", None, "d"),
                 ("E0002", "a", day(9), day(13), "d", "x")])
    t = falls(study(), events=ev, places=places_for(["a"])).set_index("place_id")
    assert t.at["a", "fell_earliest"] and t.at["a", "days_earliest"] == 9
    assert not t.at["a", "fell_latest"] and t.at["a", "days_latest"] == 10  # censored at the end (day 10)


def test_loss_in_another_episode_censors_at_that_loss():
    ev = events([("E0001", "a", "2024-01-01", "2024-01-01", None, "d"),
                 ("E0002", "a", day(3), day(3), "d", "x")])
    ev.loc[1, "episode_id"] = "other"
    t = falls(study(), events=ev, places=places_for(["a"]), episodes=["this"]).set_index("place_id")
    assert not t.at["a", "fell_latest"] and t.at["a", "days_latest"] == 3


def test_no_losses_gives_an_all_censored_table():
    ev = events([("E0001", "a", "2024-01-01", "2024-01-01", None, "d"),
                 ("E0002", "b", "2024-01-01", "2024-01-01", None, "d")])
    t = falls(study(), events=ev, places=places_for(["a", "b"]))
    assert not t["fell"].any() and (t["days_latest"] == 10).all()
    assert time_to_share(t, focus_only=False)["days"].isna().all()


def test_no_baseline_rows_the_first_change_says_who_held_it():
    ev = events([("E0001", "a", day(4), day(4), "d", "x"), ("E0002", "b", day(6), day(6), "d", "x")])
    t = falls(study(), events=ev, places=places_for(["a", "b"])).set_index("place_id")
    assert t["at_risk_latest"].all() and t["days_latest"].tolist() == [4, 6]


def test_terminal_day_ends_the_risk_period():
    ev = events([("E0001", "a", "2024-01-01", "2024-01-01", None, "d"),
                 ("E0002", "b", "2024-01-01", "2024-01-01", None, "d"),
                 ("E0003", "a", day(3), day(3), "d", "x"),
                 ("E0004", "b", day(7), day(8), "d", "x")])  # after the defender ceased to exist on day 5
    t = falls(study(terminal=day(5)), events=ev, places=places_for(["a", "b"])).set_index("place_id")
    assert t.at["a", "fell_latest"] and not t.at["b", "fell_earliest"] and not t.at["b", "fell_latest"]
    assert t.at["b", "days_latest"] == 5  # censored on the terminal day, not held to the end


# ------------------------------------------------------------------ readings and imputation
def test_imputation_splits_a_two_day_window_evenly():
    """'midpoint' used to floor to the first day; the draws give each day about half the time."""
    ev = events([("E0001", "a", "2024-01-01", "2024-01-01", None, "d"), ("E0002", "a", day(5), day(6), "d", "x")])
    draws = list(imputed(study(), ev, draws=400, seed=1))
    share_day5 = np.mean([d["days"].iloc[0] == 5 for d in draws])
    assert 0.42 < share_day5 < 0.58
    assert {d["days"].iloc[0] for d in draws} == {5, 6}


def test_imputed_draws_are_seeded():
    ev = events([("E0001", "a", "2024-01-01", "2024-01-01", None, "d"), ("E0002", "a", day(2), day(8), "d", "x")])
    a = [d["days"].iloc[0] for d in imputed(study(), ev, draws=20, seed=7)]
    b = [d["days"].iloc[0] for d in imputed(study(), ev, draws=20, seed=7)]
    assert a == b and len(set(a)) > 1


def test_summarise_and_rubin_by_hand():
    s = summarise([1, 2, 3, 4, np.nan], "x")
    assert s["median"] == 2.5 and s["defined"] == 4
    # estimates 1 and 3 with within-variance 1: total = 1 + (1 + 1/2) * 2 = 4
    r = rubin([1.0, 3.0], [1.0, 1.0])
    assert r["estimate"] == 2.0 and r["se"] == pytest.approx(2.0)


# ------------------------------------------------------------------ the hazard model
def geometric_counts(n0, hazard, days):
    """Deterministic day counts: each day loses round(h * held) places (the expected numbers)."""
    rows, n = [], n0
    for t in range(days):
        y = int(round(hazard(t) * n))
        rows.append((t, n, y))
        n -= y
    return rows


def table_from_counts(rows, last, extra_censored=0):
    days, fell = [], []
    for t, _, y in rows:
        days += [t] * y
        fell += [True] * y
    survivors = rows[-1][1] - rows[-1][2] + extra_censored
    days += [last] * survivors
    fell += [False] * survivors
    t = pd.DataFrame({"place_id": [f"p{i}" for i in range(len(days))]})
    for r in ("earliest", "latest"):
        t[f"at_risk_{r}"], t[f"fell_{r}"], t[f"days_{r}"] = True, fell, days
    return t


def test_constant_hazard_has_no_growth():
    """True growth 1.00: a constant 10% daily hazard over the 11 days of the study."""
    s = study()
    t = table_from_counts(geometric_counts(20000, lambda t: 0.1, 11), last=10)
    trend = hazard_trend(t, s).set_index("dating")
    assert trend.at["latest", "daily_growth"] == pytest.approx(1.0, abs=0.01)
    assert trend.at["latest", "growth_low"] < 1 < trend.at["latest", "growth_high"]


def test_windows_past_the_end_do_not_fake_a_slowdown():
    """Places whose windows close after the end are censored at the end; no unobserved day counts."""
    ev = [("E%04d" % i, f"p{i}", "2024-01-01", "2024-01-01", None, "d") for i in range(1, 301)]
    rng = np.random.default_rng(5)
    k = 301
    losses = {f"p{i}": int(d) for i, d in enumerate(rng.geometric(0.1, 300) - 1, start=1)}  # constant 10% a day
    for place, d in losses.items():
        if d <= 10:
            ev.append(("E%04d" % k, place, day(d), day(d if d < 9 else 14), "d", "x"))  # late windows run past the end
            k += 1
    t = falls(study(), events=events(ev), places=places_for([f"p{i}" for i in range(1, 301)]))
    trend = hazard_trend(t, study()).set_index("dating")
    # earliest dates every fall inside the study: a constant hazard, growth 1 within its interval
    assert trend.at["earliest", "growth_low"] < 1 < trend.at["earliest", "growth_high"]
    assert trend["days"].max() == 11  # the study's own days only: no exposure on unobserved days 11-14


def test_change_point_finds_the_onset():
    """Hazard 2% a day before day 6, 40% from day 6: the break is day 6."""
    rows = geometric_counts(5000, lambda t: 0.02 if t < 6 else 0.4, 11)
    t = table_from_counts(rows, last=10)
    got = change_point(t, study(), bootstrap=50).set_index("dating")
    assert got.at["latest", "tau"] == 6 and got.at["latest", "low"] <= 6 <= got.at["latest", "high"]
    assert got.at["latest", "hazard_before"] == pytest.approx(0.02, abs=0.002)
    prof = profile(day_counts(t["days_latest"], t["fell_latest"], 10)).set_index("tau")["loglik"]
    assert prof.idxmax() == 6


# ------------------------------------------------------------------ competing captors
def test_cause_specific_model_sees_what_the_pooled_model_hides():
    """Captor A takes near places fast and far ones slowly (HR < 1 per unit of distance); captor B
    takes places regardless of distance. Pooling the two blurs A's effect."""
    rng = np.random.default_rng(11)
    n = 600
    x = rng.uniform(0, 3, n)
    t_a = rng.exponential(1 / (0.3 * np.exp(-1.0 * x)))  # A: HR exp(-1) = 0.37 per unit
    t_b = rng.exponential(1 / 0.15, n)
    t = np.minimum(np.minimum(t_a, t_b), 30)
    fell = np.minimum(t_a, t_b) < 30
    table = pd.DataFrame({"place_id": [f"p{i}" for i in range(n)], "x": x,
                          "captured_by": np.where(t_a < t_b, "A", "B")})
    for r in ("earliest", "latest"):
        table[f"at_risk_{r}"], table[f"fell_{r}"], table[f"days_{r}"] = True, fell, np.ceil(t).astype(int)
    a = cox(table, ["x"], cause="A").set_index("dating").loc["latest"]
    b = cox(table, ["x"], cause="B").set_index("dating").loc["latest"]
    assert a["hazard_ratio"] == pytest.approx(np.exp(-1.0), abs=0.08) and a["p_value"] < 1e-6
    assert b["hr_low"] < 1 < b["hr_high"]
    assert a["n"] == n and a["events"] == int((fell & (t_a < t_b)).sum())


# ------------------------------------------------------------------ speed of advance
def line_places(km_by_place):
    ids = list(km_by_place)
    return pd.DataFrame({"place_id": ids, "latitude": [km_by_place[p] / KM_PER_DEGREE for p in ids],
                         "longitude": [0.0] * len(ids), "place_type": "town", "name": ids})


def speed_case(captures, *, base=True, terminal=None):
    """captures: (place, km from the origin, day of capture); 'base' is a start line at km 0."""
    km = {p: k for p, k, _ in captures}
    if base:
        km["base"] = 0.0
    rows = [("E0001", "base", "2024-01-01", "2024-01-01", None, "x")] if base else []
    n = len(rows)
    for p, _, _ in captures:
        n += 1
        rows.append((f"E{n:04d}", p, "2024-01-01", "2024-01-01", None, "d"))
    for p, _, d in captures:
        n += 1
        rows.append((f"E{n:04d}", p, day(d), day(d), "d", "x"))
    ev, places = events(rows), line_places(km)
    s = study(initiators=("x",), end="2024-01-30", terminal=terminal)
    t = falls(s, events=ev, places=places)
    return speed_of_advance(t, s, events=ev, places=places).set_index(["actor", "dating"]).loc[("x", "latest")]


def test_speed_on_the_actors_own_clock():
    """Starts on day 8 at 50 km a day from its start line: 50, not 150 / 10 = 15."""
    got = speed_case([("p1", 50, 8), ("p2", 100, 9), ("p3", 150, 10)])
    assert got["km_per_day"] == pytest.approx(50, abs=0.5) and got["clock_start_day"] == 7


def test_speed_from_the_first_days_captures_has_no_off_by_one():
    """No start line: the first day's capture is the origin; 100 km two days later is 50 km a day."""
    got = speed_case([("p1", 0, 2), ("p2", 100, 4)], base=False)
    assert got["origin"] == "first day's captures" and got["km_per_day"] == pytest.approx(50, abs=0.5)


def test_pockets_behind_the_front_do_not_slow_it():
    """A front at 20 km a day, and pockets 5 km from the start line cleared on days 3 and 4."""
    got = speed_case([("p1", 20, 1), ("p2", 40, 2), ("p3", 60, 3), ("p4", 80, 4), ("k1", 5, 3), ("k2", 5, 4)])
    assert got["front_slope"] == pytest.approx(20, abs=0.2) and got["km_per_day"] == pytest.approx(20, abs=0.2)


def test_falls_in_the_collapse_are_not_advance():
    """20 km a day for four days, then a place 300 km away falls on the defender's terminal day."""
    got = speed_case([("p1", 20, 1), ("p2", 40, 2), ("p3", 60, 3), ("p4", 80, 4), ("far", 300, 5)],
                     terminal=day(5))
    assert got["km_per_day"] == pytest.approx(20, abs=0.2) and got["collapse_falls"] == 1


# ------------------------------------------------------------------ comparable episodes
def test_t50_counts_the_places_at_risk_not_the_places_taken():
    """An episode that took 1 of 10 capitals has no T50 (not a T50 of one place)."""
    rows = [(f"E{i:04d}", f"c{i}", "2024-01-01", "2024-01-01", None, "d") for i in range(1, 11)]
    rows.append(("E0011", "c1", day(2), day(2), "d", "x"))
    places = places_for([f"c{i}" for i in range(1, 11)]).assign(place_type="admin1_capital")
    got = compare_studies([study()], events=events(rows), places=places).set_index("dating")
    assert got.at["latest", "focus_at_risk"] == 10 and got.at["latest", "focus_fell"] == 1
    assert np.isnan(got.at["latest", "t50"]) and got.at["latest", "t10"] == 2


# ------------------------------------------------------------------ dating precision and tests
def test_dating_precision_alone_does_not_make_a_difference():
    """No true difference: every place falls on the day lo + v (lo uniform on 1..12, v on 0..4),
    but capitals are dated to that day and other places only to the window lo..lo+4, which holds
    the true day uniformly. The latest reading shifts the others two days later on average and
    'finds' a difference; drawing days uniformly within the windows reproduces the truth."""
    from syriadata.analysis.survival import logrank, logrank_imputed

    rng = np.random.default_rng(3)
    rows, k = [], 0
    groups = {}
    for i in range(300):
        place, capital = f"p{i}", i % 2 == 0
        start, true_offset = int(rng.integers(1, 13)), int(rng.integers(0, 5))
        lo = hi = start + true_offset
        if not capital:
            lo, hi = start, start + 4
        k += 1
        rows.append((f"E{k:04d}", place, "2024-01-01", "2024-01-01", None, "d"))
        k += 1
        rows.append((f"E{k:04d}", place, day(lo), day(hi), "d", "x"))
        groups[place] = "capital" if capital else "other"
    s = study(end="2024-02-10")
    ev = events(rows)
    t = falls(s, events=ev, places=places_for(list(groups))).assign(kind=lambda f: f["place_id"].map(groups))
    latest = logrank(t, "kind").set_index("dating").at["latest", "p_value"]
    imputed_p = logrank_imputed(imputed(s, ev, draws=100, seed=4), pd.Series(groups), label="kind")
    assert latest < 0.01                                   # the artefact of one reading
    assert imputed_p.at[0, "p_value"] > 0.1                # gone when days are drawn within windows


def test_great_circle_km_by_hand_and_without_coordinates():
    import math

    from syriadata.analysis.geo import great_circle_km
    from syriadata.engine.vectorised import EARTH_RADIUS_KM

    # one degree of longitude on the equator is R * pi / 180 km
    assert great_circle_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(EARTH_RADIUS_KM * math.pi / 180)
    assert math.isnan(great_circle_km(0.0, 0.0, pd.NA, 1.0))  # a place without coordinates
