"""Distances that analyses need: from each place to an actor's start line."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.vectorised import EARTH_RADIUS_KM, NearestPlace


def great_circle_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance in km between two points (haversine, the engine's Earth radius); NaN when a
    coordinate is missing (a place the gazetteer cannot yet locate)."""
    if any(pd.isna(v) for v in (lat1, lon1, lat2, lon2)):
        return float("nan")
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return float(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h)))


def distance_to_held(table: pd.DataFrame, held_places: pd.DataFrame) -> pd.Series:
    """Great-circle km from each row of ``table`` (latitude/longitude) to the nearest of
    ``held_places`` (e.g. the places an actor held when an offensive began); NaN without coordinates."""
    located = held_places.dropna(subset=["latitude", "longitude"])
    if located.empty:
        return pd.Series(np.nan, index=table.index)
    _, km = NearestPlace(located).query(table["latitude"].to_numpy(float), table["longitude"].to_numpy(float),
                                        max_km=np.inf)
    return pd.Series(km, index=table.index)


def start_line(actors, day, *, events: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Places held at the end of ``day`` by ``actors`` (an actor id or several): their start line."""
    from ..engine.control import control_at

    actors = [actors] if isinstance(actors, str) else list(actors)
    held = control_at(day, events=events)
    ids = held.loc[held["controller"].isin(actors), "place_id"]
    return places[places["place_id"].isin(ids)]
