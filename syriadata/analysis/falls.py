"""Who fell when: days from an offensive's start until each place held by the defender was lost."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..control import RESOLUTIONS, control_at, window_day

CAPITAL_TYPES = ("governorate_capital", "national_capital")


def _load(name, root):
    from ..loaders import load

    return load(name, root=root)


def falls(start, end=None, *, defender: str = "syrian_government", episodes=None,
          events: pd.DataFrame | None = None, places: pd.DataFrame | None = None,
          root: str | Path | None = None) -> pd.DataFrame:
    """One row per place the defender held at the end of the day before ``start``.

    A place *falls* at its first (non-retracted) event on or after ``start`` (and on or before
    ``end``, if given; restricted to ``episodes`` if given) that takes it from the defender.
    ``days_earliest``/``days_latest``/``days_midpoint`` count days from ``start`` to the fall under
    each reading of the event's date window; places that did not fall are right-censored at
    ``end`` (or the last date in the record) with ``fell`` false.
    """
    events = _load("control_events", root) if events is None else events
    places = _load("places", root) if places is None else places
    start = pd.Timestamp(start).normalize()
    live = events[events["claim_status"].astype("string") != "retracted"]
    record_end = max(live["date_end"].max(), start)
    stop = pd.Timestamp(end).normalize() if end is not None else record_end
    held = control_at(start - pd.Timedelta(days=1), resolve="latest", events=events)
    at_risk = held.loc[held["controller"] == defender, "place_id"].astype("string")
    losses = live[(live["controller_before"].astype("string") == defender)
                  & (live["controller_after"].astype("string") != defender)
                  & (live["date_start"] >= start) & (live["date_start"] <= stop)
                  & live["place_id"].astype("string").isin(at_risk)]
    if episodes is not None:
        losses = losses[losses["episode_id"].astype("string").isin(list(episodes))]
    first = losses.sort_values(["date_start", "date_end", "event_id"]).drop_duplicates("place_id")
    first = first.set_index(first["place_id"].astype("string"))
    info = places.set_index(places["place_id"].astype("string"))
    out = pd.DataFrame({"place_id": at_risk.to_numpy()})
    out["name"] = out["place_id"].map(info["name"])
    out["place_type"] = out["place_id"].map(info["place_type"].astype("string"))
    out["admin1_pcode"] = out["place_id"].map(info["admin1_pcode"])
    out["capital"] = out["place_type"].isin(CAPITAL_TYPES)
    out["population"] = out["place_id"].map(info["population"])
    out["latitude"] = out["place_id"].map(info["latitude"])
    out["longitude"] = out["place_id"].map(info["longitude"])
    out["fell"] = out["place_id"].isin(first.index)
    out["event_id"] = out["place_id"].map(first["event_id"].astype("string"))
    out["captured_by"] = out["place_id"].map(first["controller_after"].astype("string"))
    out["claim_status"] = out["place_id"].map(first["claim_status"].astype("string"))
    out["episode_id"] = out["place_id"].map(first["episode_id"].astype("string"))
    out["date_start"] = out["place_id"].map(first["date_start"])
    out["date_end"] = out["place_id"].map(first["date_end"])
    censor = (stop - start).days
    for res in RESOLUTIONS:
        day = window_day(out["date_start"], out["date_end"], res)
        out[f"days_{res}"] = ((day - start).dt.days).fillna(censor).astype(int)
    out.attrs.update(start=start, end=stop, defender=defender)
    return out.sort_values(["days_earliest", "place_id"]).reset_index(drop=True)


def horizon(table: pd.DataFrame) -> int:
    """Last day (since the start) the table speaks of: the censoring day or a later window end."""
    last = max((int(table.loc[table["fell"], f"days_{r}"].max()) if table["fell"].any() else 0) for r in RESOLUTIONS)
    return max(int((table.attrs["end"] - table.attrs["start"]).days), last)


def collapse_curve(table: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Cumulative places fallen by day since the start, per resolution (and per ``by`` group).

    Columns: day, group, resolution, fallen (cumulative count), at_risk, share.
    """
    last = horizon(table)
    groups = table[by].astype("string").fillna("(none)") if by else pd.Series("all", index=table.index)
    rows = []
    for res in RESOLUTIONS:
        days = table[f"days_{res}"].where(table["fell"])
        for group, idx in groups.groupby(groups).groups.items():
            counts = np.bincount(days[idx].dropna().astype(int), minlength=last + 1)
            cum = np.cumsum(counts)
            rows.append(pd.DataFrame({"day": np.arange(last + 1), "group": group, "resolution": res,
                                      "fallen": cum, "at_risk": len(idx), "share": cum / len(idx)}))
    return pd.concat(rows, ignore_index=True)


def time_to_share(table: pd.DataFrame, quantiles=(0.1, 0.5, 0.9), *, capitals_only: bool = True) -> pd.DataFrame:
    """T10/T50/T90: days until the given shares of the places at risk (by default the governorate
    capitals) had fallen, per resolution; empty where the share was never reached."""
    sub = table[table["capital"]] if capitals_only else table
    rows = []
    for res in RESOLUTIONS:
        days = np.sort(sub.loc[sub["fell"], f"days_{res}"].to_numpy())
        for q in quantiles:
            need = int(np.ceil(q * len(sub) - 1e-9))
            value = days[need - 1] if 0 < need <= len(days) else np.nan
            rows.append({"quantile": q, "label": f"T{round(q * 100)}", "resolution": res, "days": value,
                         "places_at_risk": len(sub)})
    out = pd.DataFrame(rows)
    out["days"] = out["days"].astype("Int64")
    return out


def daily_captures(table: pd.DataFrame) -> pd.DataFrame:
    """Falls per day since the start and places still held at the start of that day, per resolution."""
    last = horizon(table)
    rows = []
    for res in RESOLUTIONS:
        days = table.loc[table["fell"], f"days_{res}"].astype(int)
        counts = np.bincount(days, minlength=last + 1)
        held = len(table) - np.concatenate([[0], np.cumsum(counts)[:-1]])
        rows.append(pd.DataFrame({"day": np.arange(last + 1), "resolution": res, "captures": counts,
                                  "held_at_start_of_day": held}))
    out = pd.concat(rows, ignore_index=True)
    out["date"] = table.attrs["start"] + pd.to_timedelta(out["day"], unit="D")
    return out


def peak_rate(table: pd.DataFrame) -> pd.DataFrame:
    """The largest number of places lost in one day, and the first day it happened, per resolution."""
    daily = daily_captures(table)
    best = daily.sort_values(["resolution", "captures", "day"], ascending=[True, False, True]).groupby("resolution").head(1)
    return best[["resolution", "day", "date", "captures"]].reset_index(drop=True)


def band(frame: pd.DataFrame, value: str, keys: list[str]) -> pd.DataFrame:
    """Pivot a per-resolution table into low/midpoint/high columns (the uncertainty band)."""
    wide = frame.pivot_table(index=keys, columns="resolution", values=value, aggfunc="first")
    wide = wide.reindex(columns=list(RESOLUTIONS))
    out = pd.DataFrame({"low": wide.min(axis=1), "midpoint": wide["midpoint"], "high": wide.max(axis=1)})
    return out.reset_index()


REGIONS = {  # fronts of the 2024 collapse, by OCHA admin-1 p-code (an analytical grouping, not official)
    "SY02": "north", "SY07": "north", "SY04": "centre", "SY05": "centre", "SY06": "coast", "SY10": "coast",
    "SY01": "south", "SY03": "south", "SY12": "south", "SY13": "south", "SY14": "south",
    "SY08": "east", "SY09": "east", "SY11": "east",
}


def place_class(place_type: pd.Series) -> pd.Series:
    """Capital / district centre / other, for grouping curves and tests."""
    kind = place_type.astype("string")
    return pd.Series(np.select([kind.isin(CAPITAL_TYPES), kind == "district_centre"],
                               ["capital", "district centre"], "other"), index=place_type.index)


def with_groups(table: pd.DataFrame) -> pd.DataFrame:
    """Add the ``place_class`` and ``region`` columns the analyses group by."""
    out = table.assign(place_class=place_class(table["place_type"]),
                       region=table["admin1_pcode"].astype("string").map(REGIONS))
    out.attrs.update(table.attrs)
    return out
