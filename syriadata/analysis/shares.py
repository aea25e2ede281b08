"""Control shares over time: share of places and of population held by each actor."""
from __future__ import annotations

import pandas as pd

from ..engine.vectorised import panel
from .dating import READINGS


def control_shares(start, end, freq: str = "D", *, events: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Per period, reading (earliest, latest) and controller: places held, their share, the population of the
    places held and its share of the population of all places with a known population."""
    pop = places.set_index(places["place_id"].astype("string"))["population"].astype("Float64")
    rows = []
    for res in READINGS:
        p = panel(start, end, freq, resolve=res, events=events)
        p = p[p["controller"].notna()]  # a place before its first row has no controller: not counted that day
        p = p.assign(population=p["place_id"].astype("string").map(pop).to_numpy())
        g = p.groupby(["date", "controller"], observed=True).agg(places=("place_id", "size"),
                                                                 population=("population", "sum"))
        totals = p.groupby("date").agg(all_places=("place_id", "size"), all_population=("population", "sum"))
        g = g.join(totals)
        g["share_places"] = g["places"] / g["all_places"]
        g["share_population"] = g["population"] / g["all_population"]
        rows.append(g.reset_index().assign(dating=res))
    out = pd.concat(rows, ignore_index=True)
    out["controller"] = out["controller"].astype("string")
    return out[["date", "dating", "controller", "places", "share_places", "population", "share_population"]]
