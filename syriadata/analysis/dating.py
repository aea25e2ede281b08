"""Which day each change counts from, and who fell when under that dating.

A change of control is known only to lie within its date window. The analyses therefore compute
every statistic under

- the two **readings** (:data:`READINGS`): every change on the first day of its window
  (``earliest``) or on the last (``latest``). For statistics that only ever grow as changes move
  earlier (places still held, cumulative losses, Kaplan-Meier survival, the T-quantiles) the two
  readings are exact bounds, provided no window straddles the start of the study (the report
  counts those);
- **multiple imputation**: every change's day drawn uniformly within its window (seeded), for
  any statistic, reported as the median and the 2.5-97.5 % range over the draws (model estimates
  are pooled with Rubin's rules instead).

In both cases the days of a place's chain are kept in chain order (a running maximum, the rule
:func:`syriadata.engine.control.effective_dates` uses), so a later change never counts before an
earlier one.

The risk period runs from the study's start to its end, or to the defender's terminal day if it
ended earlier: places still held then are censored there (the defender no longer exists to lose
them; counting them as falls would date a collapse that the sources do not describe place by
place). A window closing after the risk period does not make a fall under any reading whose day
lies after it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain import live_events
from .study import Study

#: the two readings of the date windows: exact bounds for monotone statistics
READINGS = ("earliest", "latest")
#: imputation draws used by the report (enough for the reported digits to be stable: see the tests)
DRAWS = 200
_EPOCH = np.datetime64("1970-01-01", "D")


def _day(values) -> np.ndarray:
    return (pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]") - _EPOCH).astype(np.int64)


def chain(study: Study, events: pd.DataFrame) -> pd.DataFrame:
    """Live events of every place the defender ever held, in chain order, with integer days.

    Columns: place_id, before, after, episode_id, event_id, lo, hi (window as days since 1970).
    """
    ev = live_events(events)
    held = set(ev.loc[ev["controller_after"].astype("string") == study.defender, "place_id"].astype(str))
    held |= set(ev.loc[ev["controller_before"].astype("string") == study.defender, "place_id"].astype(str))
    ev = ev[ev["place_id"].astype(str).isin(held)].reset_index(drop=True)
    return pd.DataFrame({
        "place_id": ev["place_id"].astype(str).to_numpy(),
        "before": ev["controller_before"].astype("string").to_numpy(),
        "after": ev["controller_after"].astype("string").to_numpy(),
        "episode_id": ev["episode_id"].astype("string").to_numpy(),
        "event_id": ev["event_id"].astype(str).to_numpy(),
        "lo": _day(ev["date_start"]), "hi": _day(ev["date_end"]),
    })


def assign(ch: pd.DataFrame, how: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """The day each event of ``ch`` counts from: its window's first or last day, or a uniform draw.

    ``how`` is ``"earliest"``, ``"latest"`` or ``"draw"`` (with ``rng``). Days are made
    non-decreasing along each place's chain.
    """
    if how == "earliest":
        day = ch["lo"].to_numpy()
    elif how == "latest":
        day = ch["hi"].to_numpy()
    elif how == "draw":
        day = rng.integers(ch["lo"].to_numpy(), ch["hi"].to_numpy() + 1)
    else:
        raise ValueError(f"unknown dating {how!r}")
    return pd.Series(day).groupby(ch["place_id"].to_numpy(), sort=False).cummax().to_numpy()


def outcomes(ch: pd.DataFrame, day: np.ndarray, study: Study, episodes=None) -> pd.DataFrame:
    """Per place: at risk at the start, fell within the risk period, days from the start.

    A place is at risk if the defender held it at the end of the day before the start (the
    controller after its last change dated before the start, or, for a place whose record begins
    later without a baseline, the controller before its first change). It falls at its first
    change from the defender dated within the risk period; if ``episodes`` is given and that
    change belongs to another episode, the place is censored at that day instead. Places that
    did not fall are censored at the end of the risk period. Columns: place_id, at_risk, fell,
    days, event_id (the loss), captured_by.
    """
    s, e = _day([study.start])[0], _day([study.risk_end])[0]
    frame = ch.assign(day=day)
    before_start = frame[frame["day"] < s].groupby("place_id", sort=False)["after"].last()
    first_after = frame[frame["day"] >= s].groupby("place_id", sort=False)["before"].first()
    places = pd.Index(pd.unique(frame["place_id"]), name="place_id")
    holder = before_start.reindex(places).fillna(first_after.reindex(places))
    at_risk = (holder == study.defender).fillna(False).to_numpy(bool)
    loss = frame[(frame["day"] >= s) & (frame["day"] <= e) & (frame["before"] == study.defender)
                 & (frame["after"] != study.defender)].groupby("place_id", sort=False).head(1).set_index("place_id")
    loss = loss.reindex(places)
    has_loss = loss["day"].notna().to_numpy()
    counted = has_loss.copy()
    if episodes is not None:
        counted &= loss["episode_id"].isin(list(episodes)).to_numpy(bool)
    days = np.where(has_loss, loss["day"].to_numpy(float) - s, e - s).astype(int)
    out = pd.DataFrame({"place_id": places, "at_risk": at_risk, "fell": at_risk & counted, "days": days,
                        "event_id": loss["event_id"].to_numpy(), "captured_by": loss["after"].to_numpy()})
    out.loc[~out["fell"], ["event_id", "captured_by"]] = None
    return out[out["at_risk"]].reset_index(drop=True)


def imputed(study: Study, events: pd.DataFrame, *, draws: int = DRAWS, seed: int = 2024, episodes=None):
    """Outcomes under ``draws`` uniform draws of every change's day (a generator of DataFrames).

    Seeded, so the same data give the same draws; ``seed`` and ``draws`` are reported with
    every imputed figure.
    """
    ch = chain(study, events)
    rng = np.random.default_rng(seed)
    for _ in range(draws):
        yield outcomes(ch, assign(ch, "draw", rng), study, episodes)


def summarise(values, name: str) -> dict:
    """Median and 2.5-97.5 % range over the draws of one statistic (NaN-aware)."""
    arr = np.asarray(values, dtype=float)
    ok = arr[~np.isnan(arr)]
    if not len(ok):
        return {"statistic": name, "median": np.nan, "low": np.nan, "high": np.nan, "draws": len(arr), "defined": 0}
    return {"statistic": name, "median": float(np.median(ok)), "low": float(np.percentile(ok, 2.5)),
            "high": float(np.percentile(ok, 97.5)), "draws": len(arr), "defined": len(ok)}


def rubin(estimates, variances) -> dict:
    """Rubin's rules: pooled estimate, total variance, and its standard error, over imputations."""
    q, u = np.asarray(estimates, float), np.asarray(variances, float)
    ok = ~(np.isnan(q) | np.isnan(u))
    q, u = q[ok], u[ok]
    m = len(q)
    if m == 0:
        return {"estimate": np.nan, "se": np.nan, "imputations": 0}
    within, between = u.mean(), q.var(ddof=1) if m > 1 else 0.0
    total = within + (1 + 1 / m) * between
    return {"estimate": float(q.mean()), "se": float(np.sqrt(total)), "within": float(within),
            "between": float(between), "imputations": m}
