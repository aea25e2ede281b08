"""Compare episodes (offensives) with the same yardsticks, whatever episodes the package holds."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain import CAPITAL_TYPES, RESOLUTIONS, window_day


def compare_episodes(*, events: pd.DataFrame, places: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """Per episode and resolution: changes of control, places, days from the episode's start to its
    first first-order capital, to the national capital, between the two, T50 (days until half the
    capitals it took had been taken) and the peak number of changes in one day."""
    kinds = places.set_index(places["place_id"].astype("string"))["place_type"].astype("string")
    live = events[(events["claim_status"].astype("string") != "retracted") & (events["event_type"] != "baseline")]
    rows = []
    for ep in episodes.itertuples(index=False):
        ev = live[live["episode_id"].astype("string") == ep.episode_id]
        if ev.empty:
            continue
        kind = ev["place_id"].astype("string").map(kinds)
        for res in RESOLUTIONS:
            days = (window_day(ev["date_start"], ev["date_end"], res) - ep.date_start).dt.days
            cap_days = np.sort(days[kind.isin(CAPITAL_TYPES)].groupby(ev["place_id"]).min().to_numpy())
            national = days[kind == "national_capital"]
            first_cap = cap_days[0] if len(cap_days) else np.nan
            nat = national.min() if len(national) else np.nan
            rows.append({
                "episode_id": ep.episode_id, "name": ep.name, "resolution": res, "start": ep.date_start,
                "changes": len(ev), "places": ev["place_id"].nunique(), "capitals": len(cap_days),
                "days_to_first_capital": first_cap, "days_to_national_capital": nat,
                "first_capital_to_national_capital": nat - first_cap,
                "t50_capitals": cap_days[int(np.ceil(len(cap_days) / 2)) - 1] if len(cap_days) else np.nan,
                "peak_changes_per_day": int(days.value_counts().max()),
            })
    out = pd.DataFrame(rows)
    for col in ["days_to_first_capital", "days_to_national_capital", "first_capital_to_national_capital", "t50_capitals"]:
        out[col] = out[col].astype("Float64").round().astype("Int64")
    return out
