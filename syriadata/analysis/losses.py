"""Who fell when: days from an offensive's start until each place held by the defender was lost."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..domain import place_class
from ..errors import UsageError
from .dating import READINGS, assign, chain, outcomes, summarise
from .inputs import check_actor, check_events, check_places
from .study import Study


def _load(name, root):
    from ..loaders import load

    return load(name, root=root)


def falls(study: Study, *, episodes=None, events: pd.DataFrame | None = None, places: pd.DataFrame | None = None,
          root: str | Path | None = None) -> pd.DataFrame:
    """One row per place the study's defender held at the start under either reading.

    Parameters
    ----------
    study : the :class:`Study` (defender, start, end or terminal day, focus place types).
    episodes : if given, only losses in these episode ids are falls; a place lost in another
        episode is censored at that loss.
    events, places : frames of control events and places (default: the package at ``root``);
        checked on entry (see :mod:`syriadata.analysis.inputs`).
    root : a data package folder; None for the bundled package.

    For each reading ``r`` of the date windows (:data:`~syriadata.analysis.dating.READINGS`):
    ``at_risk_r`` (the defender held the place at the end of the day before the start),
    ``fell_r`` (it lost it within the risk period) and ``days_r`` (days from the start to the
    loss, or to the end of the risk period if it did not fall). ``fell`` is true if it fell
    under either reading. The loss event (``event_id``, ``captured_by``, ``date_start``,
    ``date_end``) is the one of the latest reading where there is one. ``straddles_start`` marks
    a loss whose window begins before the start and ends on or after it. See
    :mod:`syriadata.analysis.dating` for the rules.

    Example
    -------
    >>> from syriadata.analysis import default_studies, falls
    >>> table = falls(default_studies()[0])
    >>> int(table["fell_latest"].sum()) <= int(table["fell_earliest"].sum()) + int(table["straddles_start"].sum())
    True
    """
    events = check_events(_load("control_events", root) if events is None else events)
    places = check_places(_load("places", root) if places is None else places)
    check_actor(study.defender, events, "defender")
    ch = chain(study, events)
    per = {r: outcomes(ch, assign(ch, r), study, episodes).set_index("place_id") for r in READINGS}
    ids = per["latest"].index.union(per["earliest"].index)
    if ids.empty:
        before = (study.start - pd.Timedelta(days=1)).date()
        raise UsageError(f"study {study.episode_id!r}: {study.defender!r} holds no place at the end of {before}. "
                         "Each place needs a first (baseline) row with an empty controller_before on or before that "
                         "day, or a first change whose controller_before is the defender; else the defender or the "
                         "start date is wrong.")
    info = places.set_index(places["place_id"].astype("string"))
    out = pd.DataFrame({"place_id": pd.array(ids, dtype="string")})
    key = out["place_id"]
    out["name"] = key.map(info["name"]).astype("string").fillna(key)
    out["place_type"] = key.map(info["place_type"].astype("string"))
    out["admin1_pcode"] = key.map(info["admin1_pcode"].astype("string"))
    out["focus"] = out["place_type"].isin(study.focus_types)
    out["population"] = key.map(info["population"])
    out["latitude"] = key.map(info["latitude"])
    out["longitude"] = key.map(info["longitude"])
    censor = (study.risk_end - study.start).days
    for r in READINGS:
        got = per[r].reindex(ids)
        out[f"at_risk_{r}"] = got["at_risk"].fillna(False).astype(bool).to_numpy()
        out[f"fell_{r}"] = got["fell"].fillna(False).astype(bool).to_numpy()
        out[f"days_{r}"] = got["days"].fillna(censor).astype(int).to_numpy()
    out["fell"] = out["fell_earliest"] | out["fell_latest"]
    loss_id = per["latest"]["event_id"].reindex(ids).fillna(per["earliest"]["event_id"].reindex(ids))
    ev = events.set_index(events["event_id"].astype("string"))
    out["event_id"] = pd.array(loss_id.to_numpy(), dtype="string")
    out["captured_by"] = out["event_id"].map(ev["controller_after"].astype("string"))
    out["claim_status"] = out["event_id"].map(ev["claim_status"].astype("string"))
    out["confidence"] = out["event_id"].map(ev["confidence"].astype("string"))
    out["episode_id"] = out["event_id"].map(ev["episode_id"].astype("string"))
    out["date_start"] = out["event_id"].map(ev["date_start"]).astype("datetime64[us]")
    out["date_end"] = out["event_id"].map(ev["date_end"]).astype("datetime64[us]")
    out["straddles_start"] = (out["date_start"] < study.start) & (out["date_end"] >= study.start)
    return out.sort_values(["days_earliest", "place_id"]).reset_index(drop=True)


def horizon(study: Study) -> int:
    """Last day (since the start) of the risk period: the end, or the defender's terminal day."""
    return int((study.risk_end - study.start).days)


def _at_risk(table: pd.DataFrame, reading: str) -> pd.DataFrame:
    return table[table[f"at_risk_{reading}"]]


def _cumulative(days: np.ndarray, last: int) -> np.ndarray:
    return np.cumsum(np.bincount(days.astype(int), minlength=last + 1)[: last + 1])


def collapse_curve(table: pd.DataFrame, study: Study, *, by: str | None = None, draws=None) -> pd.DataFrame:
    """Cumulative places lost by day of the risk period, per reading (and per ``by`` group).

    Columns: day, date, group, dating (``earliest``, ``latest``, and with ``draws`` (outcome frames
    from :func:`~syriadata.analysis.dating.imputed`) ``imputed`` with ``low``/``high``: the 2.5-97.5 %
    range), fallen, at_risk, share. Earliest and latest bound the cumulative count when no window
    straddles the start.
    """
    last = horizon(study)
    groups = table[by].astype("string").fillna("(none)") if by else pd.Series("all", index=table.index)
    table = table.assign(_group=groups)
    rows = []
    for r in READINGS:
        for group, sub in _at_risk(table, r).groupby("_group"):
            cum = _cumulative(sub.loc[sub[f"fell_{r}"], f"days_{r}"].to_numpy(), last)
            rows.append(pd.DataFrame({"day": np.arange(last + 1), "group": group, "dating": r, "fallen": cum,
                                      "low": cum, "high": cum, "at_risk": len(sub)}))
    if draws is not None:
        group_of = table.set_index("place_id")["_group"]
        per_group: dict = {}
        for d in draws:
            d = d.assign(_group=d["place_id"].map(group_of))
            for group, sub in d.groupby("_group"):
                per_group.setdefault(group, []).append((_cumulative(sub.loc[sub["fell"], "days"].to_numpy(), last),
                                                        len(sub)))
        for group, runs in per_group.items():
            stack = np.vstack([c for c, _ in runs])
            rows.append(pd.DataFrame({"day": np.arange(last + 1), "group": group, "dating": "imputed",
                                      "fallen": np.median(stack, axis=0), "low": np.percentile(stack, 2.5, axis=0),
                                      "high": np.percentile(stack, 97.5, axis=0),
                                      "at_risk": int(np.median([n for _, n in runs]))}))
    out = pd.concat(rows, ignore_index=True)
    out["share"] = out["fallen"] / out["at_risk"]
    out["date"] = study.start + pd.to_timedelta(out["day"], unit="D")
    return out


def quantile_days(days: np.ndarray, fell: np.ndarray, n: int, q: float) -> float:
    """Day by which the share ``q`` of ``n`` places at risk had fallen (NaN if it never was)."""
    need = int(np.ceil(q * n - 1e-9))
    got = np.sort(days[fell])
    return float(got[need - 1]) if 0 < need <= len(got) else np.nan


def time_to_share(table: pd.DataFrame, quantiles=(0.1, 0.5, 0.9), *, focus_only: bool = True,
                  draws=None) -> pd.DataFrame:
    """T10/T50/T90: days until the given shares of the places at risk (by default the study's focus
    places) had fallen, under each reading and, with ``draws``, imputed (median and 2.5-97.5 %
    range); empty where the share was never reached within the risk period."""
    sub = table[table["focus"]] if focus_only else table
    rows = []
    for r in READINGS:
        risk = _at_risk(sub, r)
        for q in quantiles:
            v = quantile_days(risk[f"days_{r}"].to_numpy(), risk[f"fell_{r}"].to_numpy(bool), len(risk), q)
            rows.append({"quantile": q, "label": f"T{round(q * 100)}", "dating": r, "days": v, "low": v, "high": v,
                         "places_at_risk": len(risk)})
    if draws is not None:
        keep = set(sub["place_id"].astype(str))
        values = {q: [] for q in quantiles}
        sizes = []
        for d in draws:
            d = d[d["place_id"].isin(keep)]
            sizes.append(len(d))
            for q in quantiles:
                values[q].append(quantile_days(d["days"].to_numpy(), d["fell"].to_numpy(bool), len(d), q))
        for q in quantiles:
            s = summarise(values[q], f"T{round(q * 100)}")
            rows.append({"quantile": q, "label": s["statistic"], "dating": "imputed", "days": s["median"],
                         "low": s["low"], "high": s["high"], "places_at_risk": int(np.median(sizes))})
    out = pd.DataFrame(rows)
    for col in ("days", "low", "high"):
        out[col] = out[col].round().astype("Int64")
    return out


def daily_captures(table: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Falls per day of the risk period and places still held at the start of that day, per reading."""
    last = horizon(study)
    rows = []
    for r in READINGS:
        risk = _at_risk(table, r)
        counts = np.bincount(risk.loc[risk[f"fell_{r}"], f"days_{r}"].astype(int), minlength=last + 1)[: last + 1]
        held = len(risk) - np.concatenate([[0], np.cumsum(counts)[:-1]])
        rows.append(pd.DataFrame({"day": np.arange(last + 1), "dating": r, "captures": counts,
                                  "held_at_start_of_day": held}))
    out = pd.concat(rows, ignore_index=True)
    out["date"] = study.start + pd.to_timedelta(out["day"], unit="D")
    return out


def peak_rate(table: pd.DataFrame, study: Study, *, draws=None) -> pd.DataFrame:
    """The largest number of places lost in one day and the first day it happened, per reading;
    with ``draws``, their imputed medians and 2.5-97.5 % ranges; and the exact bounds of the peak
    count over every dating the windows allow (:func:`peak_bounds`)."""
    daily = daily_captures(table, study)
    best = daily.sort_values(["dating", "captures", "day"], ascending=[True, False, True]).groupby("dating").head(1)
    out = best[["dating", "day", "date", "captures"]].reset_index(drop=True)
    out["low"], out["high"] = out["captures"], out["captures"]
    rows = [out]
    if draws is not None:
        last = horizon(study)
        peaks, days = [], []
        for d in draws:
            counts = np.bincount(d.loc[d["fell"], "days"].astype(int), minlength=last + 1)
            peaks.append(counts.max())
            days.append(int(np.argmax(counts)))
        p, dd = summarise(peaks, "peak"), summarise(days, "day")
        rows.append(pd.DataFrame([{"dating": "imputed", "day": dd["median"], "date": pd.NaT, "captures": p["median"],
                                   "low": p["low"], "high": p["high"], "day_low": dd["low"], "day_high": dd["high"]}]))
    lo, hi = peak_bounds(table, study)
    rows.append(pd.DataFrame([{"dating": "any (exact bounds)", "day": np.nan, "date": pd.NaT, "captures": np.nan,
                               "low": lo, "high": hi}]))
    return pd.concat(rows, ignore_index=True)


def peak_bounds(table: pd.DataFrame, study: Study) -> tuple[int, int]:
    """The smallest and largest peak of places lost in one day over every dating the windows allow.

    Each place that fell under some reading is given one day of its loss window clipped to the
    risk period. The largest peak is the most windows that share a day (a sweep over days). The
    smallest is an integer program (``scipy.optimize.milp``): binary x[place, day] with one day
    per place and every day's count at most z; minimise z. Places whose window lies partly outside
    the risk period may also not fall; they are given the option of no day within it.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    last = horizon(study)
    lost = table[table["fell"]]
    if lost.empty:
        return 0, 0
    lo = ((lost["date_start"] - study.start).dt.days).clip(lower=0).to_numpy(int)
    hi = ((lost["date_end"] - study.start).dt.days).clip(upper=last).to_numpy(int)
    must = lost["fell_earliest"].to_numpy(bool) & lost["fell_latest"].to_numpy(bool)  # falls under every dating
    days = np.arange(last + 1)
    cover = (lo[:, None] <= days[None, :]) & (days[None, :] <= hi[:, None])
    high = int(cover.sum(axis=0).max())
    pairs = np.argwhere(cover)  # variable k = (place i, day d)
    n_var = len(pairs) + 1      # + z
    rows, cols, vals, lb, ub = [], [], [], [], []
    for i in range(len(lost)):  # one day per place (or at most one if it may not fall)
        k = np.flatnonzero(pairs[:, 0] == i)
        rows += [len(lb)] * len(k); cols += list(k); vals += [1] * len(k)  # noqa: E702
        lb.append(1 if must[i] else 0); ub.append(1)  # noqa: E702
    for d in days:  # the count of every day is at most z
        k = np.flatnonzero(pairs[:, 1] == d)
        rows += [len(lb)] * (len(k) + 1); cols += list(k) + [n_var - 1]; vals += [1] * len(k) + [-1]  # noqa: E702
        lb.append(-np.inf); ub.append(0)  # noqa: E702
    from scipy.sparse import coo_array

    a = coo_array((vals, (rows, cols)), shape=(len(lb), n_var))
    c = np.zeros(n_var)
    c[-1] = 1
    res = milp(c, constraints=LinearConstraint(a, lb, ub), integrality=np.ones(n_var),
               bounds=Bounds(0, np.r_[np.ones(n_var - 1), len(lost)]))
    return int(round(res.fun)), high


def with_groups(table: pd.DataFrame, admin1: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add the ``place_class`` column and, from the ``admin1`` table's ``region``, the ``region`` column."""
    region = pd.Series(pd.NA, index=table.index, dtype="string")
    if admin1 is not None and "region" in admin1.columns:
        lookup = admin1.set_index(admin1["admin1_pcode"].astype("string"))["region"].astype("string")
        region = table["admin1_pcode"].astype("string").map(lookup)
    return table.assign(place_class=place_class(table["place_type"]), region=region)
