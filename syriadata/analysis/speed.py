"""Speed of advance, per capturing actor (never one national number)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import require
from ..domain import RESOLUTIONS, status_codes
from .geo import distance_to_held, start_line
from .study import Study


def speed_of_advance(table: pd.DataFrame, study: Study, *, events: pd.DataFrame, places: pd.DataFrame,
                     actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each actor that captured places in ``table`` (from :func:`falls`), how far and how fast it
    advanced from its start line.

    The origin is the set of places the actor held the day before the start; an actor that held none
    (e.g. a coalition formed during the offensive) is measured from its first day's captures, and its
    clock starts the day before them. ``km_per_day`` is the distance to the farthest captured place
    divided by the days taken to reach it; ``slope_km_per_day`` is the least-squares slope through
    the origin of distance on days over all its captures (statsmodels OLS), with a 95% interval.
    """
    sm = require("statsmodels.api", "analysis", "speed_of_advance")

    start = study.start
    statuses = status_codes(actors)
    fell = table[table["fell"] & table["captured_by"].notna()]
    rows = []
    for actor, caps in fell.groupby("captured_by"):
        if actor in statuses:
            continue
        line = start_line(actor, start - pd.Timedelta(days=1), events=events, places=places)
        origin = "start line"
        for res in RESOLUTIONS:
            days = caps[f"days_{res}"].astype(float)
            t0 = 0.0
            ref = line
            if line.dropna(subset=["latitude", "longitude"]).empty:
                first = caps[days == days.min()]
                ref, origin, t0 = first, "first day's captures", days.min() - 1
            km = distance_to_held(caps, ref)
            ok = km.notna()
            t = (days - t0)[ok].clip(lower=1.0)
            d = km[ok]
            row = {"actor": actor, "resolution": res, "origin": origin, "captures": len(caps),
                   "with_coordinates": int(ok.sum())}
            if ok.sum() >= 2 and d.max() > 0:
                far = d.idxmax()
                fit = sm.OLS(d.to_numpy(), t.to_numpy()[:, None]).fit()
                low, high = np.asarray(fit.conf_int())[0]
                row.update(max_km=float(d.max()), days_to_max=float(t[far]), km_per_day=float(d.max() / t[far]),
                           slope_km_per_day=float(fit.params[0]), slope_low=float(low), slope_high=float(high))
            rows.append(row)
    cols = ["actor", "resolution", "origin", "captures", "with_coordinates", "max_km", "days_to_max",
            "km_per_day", "slope_km_per_day", "slope_low", "slope_high"]
    return pd.DataFrame(rows).reindex(columns=cols).sort_values(["actor", "resolution"]).reset_index(drop=True)
