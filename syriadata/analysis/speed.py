"""Speed of advance, per capturing actor, on the actor's own clock and as a front.

For each actor that took places from the defender:

- **origin**: its start line (the places it held at the end of the day before the study's start),
  or, if it held none with coordinates, the places it took on its first day;
- **own clock**: day 0 is the day before its first capture when it advanced from a start line,
  or the day of its first captures when those are the origin (they took no travel time), so an
  actor that joins late is not measured from the study's start;
- **front**: the farthest distance from the origin reached by each day (a running maximum), so
  pockets cleared behind the front do not slow it. ``km_per_day`` is the farthest distance over
  the days taken to reach it; ``front_slope`` the least-squares slope through the origin of the
  record-setting captures (statsmodels OLS) with its 95% interval;
- **collapse**: falls on or after the defender's terminal day are not advance (the defender no
  longer fought for them): they are counted in ``collapse_falls`` and left out.

Segments along the study's headline places (in their order, e.g. a route from city to city)
give the speed between consecutive places that fell, per reading. Speeds are not monotone in the
dating, so the two readings are not bounds: with imputation draws each speed is also given as the
median and 2.5-97.5 % range over the draws.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain import status_codes
from ..errors import require
from .dating import READINGS, summarise
from .geo import distance_to_held, great_circle_km, start_line
from .study import Study


def _speed(caps: pd.DataFrame, origin: pd.DataFrame, from_start_line: bool) -> dict:
    """Speed of one actor's captures (columns: days, latitude, longitude) from ``origin``."""
    caps = caps.dropna(subset=["latitude", "longitude"])
    if caps.empty:
        return {}
    first = caps["days"].min()
    if not from_start_line:
        origin = caps[caps["days"] == first]
    t0 = first - 1 if from_start_line else first
    km = distance_to_held(caps, origin)
    frame = pd.DataFrame({"t": caps["days"] - t0, "km": km}).dropna().sort_values(["t", "km"])
    if frame.empty or frame["km"].max() <= 0:
        return {"with_coordinates": len(caps)}
    front = frame.groupby("t")["km"].max().cummax()
    records = front[front > front.shift(fill_value=0)]
    records = records[records.index > 0]
    far_t = int(front.idxmax())
    row = {"with_coordinates": len(caps), "clock_start_day": int(t0), "max_km": float(front.max()),
           "days_to_max": far_t, "km_per_day": float(front.max() / far_t) if far_t > 0 else np.nan,
           "front_points": len(records)}
    if len(records) >= 2:
        sm = require("statsmodels.api", "analysis", "speed_of_advance")
        fit = sm.OLS(records.to_numpy(float), records.index.to_numpy(float)[:, None]).fit()
        lo, hi = np.asarray(fit.conf_int())[0]
        row.update(front_slope=float(fit.params[0]), slope_low=float(lo), slope_high=float(hi))
    return row


def speed_of_advance(table: pd.DataFrame, study: Study, *, events: pd.DataFrame, places: pd.DataFrame,
                     actors: pd.DataFrame | None = None, draws=None) -> pd.DataFrame:
    """Per capturing actor and dating: origin, own clock, front speed (see the module docstring).

    Parameters
    ----------
    table : the output of :func:`~syriadata.analysis.losses.falls` for ``study``.
    study : the study (start, terminal day).
    events, places : the control events (for start lines) and places (coordinates).
    actors : the actors table, to leave status codes (contested, unknown) out.
    draws : imputation outcome frames (:func:`~syriadata.analysis.dating.imputed`), optional.
    """
    statuses = status_codes(actors)
    coords = table.set_index("place_id")[["latitude", "longitude"]]
    collapse_day = (study.terminal - study.start).days if study.terminal is not None else None
    datings = [(r, table[table[f"fell_{r}"]].assign(days=lambda f, r=r: f[f"days_{r}"])) for r in READINGS]
    rows, lines = [], {}
    for dating, fell in datings:
        for actor, caps in fell.groupby("captured_by"):
            if actor in statuses:
                continue
            if actor not in lines:
                lines[actor] = start_line(actor, study.start - pd.Timedelta(days=1), events=events, places=places)
            line = lines[actor].dropna(subset=["latitude", "longitude"])
            collapse = caps["days"] >= collapse_day if collapse_day is not None else pd.Series(False, index=caps.index)
            row = {"actor": actor, "dating": dating, "origin": "start line" if len(line) else "first day's captures",
                   "captures": int((~collapse).sum()), "collapse_falls": int(collapse.sum())}
            row.update(_speed(caps[~collapse], line, bool(len(line))))
            rows.append(row)
    out = pd.DataFrame(rows)
    if draws is not None and len(out):
        extra = []
        for actor in out["actor"].unique():
            line = lines[actor].dropna(subset=["latitude", "longitude"])
            speeds = []
            for d in draws:
                caps = d[d["fell"] & (d["captured_by"] == actor)].join(coords, on="place_id")
                if collapse_day is not None:
                    caps = caps[caps["days"] < collapse_day]
                speeds.append(_speed(caps, line, bool(len(line))).get("km_per_day", np.nan))
            s = summarise(speeds, "km_per_day")
            extra.append({"actor": actor, "dating": "imputed", "km_per_day": s["median"], "low": s["low"],
                          "high": s["high"], "origin": "start line" if len(line) else "first day's captures"})
        out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True)
    cols = ["actor", "dating", "origin", "captures", "collapse_falls", "with_coordinates", "clock_start_day", "max_km",
            "days_to_max", "km_per_day", "low", "high", "front_points", "front_slope", "slope_low", "slope_high"]
    return out.reindex(columns=cols).sort_values(["actor", "dating"]).reset_index(drop=True)


def route_segments(table: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Speed between consecutive headline places of the study (a route), per reading: great-circle
    km between them over the days between their falls; NaN where one did not fall, where one has no
    coordinates, or both fell on the same day (no time elapsed that the data can measure)."""
    by_id = table.set_index("place_id")
    route = [p for p in study.headline_places if p in by_id.index]
    rows = []
    for a, b in zip(route, route[1:]):
        km = great_circle_km(by_id.at[a, "latitude"], by_id.at[a, "longitude"],
                             by_id.at[b, "latitude"], by_id.at[b, "longitude"])
        for r in READINGS:
            fell = by_id.at[a, f"fell_{r}"] and by_id.at[b, f"fell_{r}"]
            days = by_id.at[b, f"days_{r}"] - by_id.at[a, f"days_{r}"] if fell else np.nan
            rows.append({"from": by_id.at[a, "name"], "to": by_id.at[b, "name"], "dating": r, "km": km,
                         "days": days, "km_per_day": km / days if fell and days > 0 else np.nan})
    return pd.DataFrame(rows, columns=["from", "to", "dating", "km", "days", "km_per_day"])
