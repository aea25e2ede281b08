"""Who fell when: days from an offensive's start until each place held by the defender was lost."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.control import control_at
from ..domain import RESOLUTIONS, live_events, place_class, window_day
from ..errors import UsageError
from .inputs import check_actor, check_events, check_places
from .study import Study


def _load(name, root):
    from ..loaders import load

    return load(name, root=root)


def falls(study: Study, *, episodes=None, events: pd.DataFrame | None = None, places: pd.DataFrame | None = None,
          root: str | Path | None = None) -> pd.DataFrame:
    """One row per place the study's defender held at the end of the day before its start.

    Parameters
    ----------
    study : the :class:`Study` (defender, start, end, focus place types).
    episodes : if given, only losses in these episode ids count (others are not falls).
    events, places : frames of control events and places (default: the package at ``root``);
        checked on entry (see :mod:`syriadata.analysis.inputs`).
    root : a data package folder; None for the bundled package.

    A place *falls* at its first (non-retracted) event on or after ``start`` (and on or before
    ``end``) that takes it from the defender. ``days_earliest``/``days_midpoint``/``days_latest``
    count days from ``start`` to the fall under each reading of the event's date window; places
    that did not fall are right-censored at ``end`` with ``fell`` false. ``focus`` marks the
    places whose types the study's headline quantiles count.

    Example
    -------
    >>> from syriadata.analysis import default_studies, falls
    >>> table = falls(default_studies()[0])
    >>> int(table["fell"].sum()) > 0
    True
    """
    events = check_events(_load("control_events", root) if events is None else events)
    places = check_places(_load("places", root) if places is None else places)
    check_actor(study.defender, events, "defender")
    start, stop = study.start, study.end
    live = live_events(events)
    before = start - pd.Timedelta(days=1)
    held = control_at(before, resolve="latest", events=events)
    at_risk = held.loc[held["controller"] == study.defender, "place_id"].astype("string")
    if at_risk.empty:
        raise UsageError(f"study {study.episode_id!r}: {study.defender!r} holds no place at the end of {before.date()}. "
                         "Each place needs a first (baseline) row with an empty controller_before on or before that "
                         "day, or the defender or start date is wrong.")
    losses = live[(live["controller_before"].astype("string") == study.defender)
                  & (live["controller_after"].astype("string") != study.defender)
                  & (live["date_start"] >= start) & (live["date_start"] <= stop)
                  & live["place_id"].astype("string").isin(at_risk)]
    if episodes is not None:
        losses = losses[losses["episode_id"].astype("string").isin(list(episodes))]
    first = losses.sort_values(["date_start", "date_end", "event_id"]).drop_duplicates("place_id")
    first = first.set_index(first["place_id"].astype("string"))
    info = places.set_index(places["place_id"].astype("string"))
    out = pd.DataFrame({"place_id": at_risk.to_numpy()})
    out["name"] = out["place_id"].map(info["name"]).astype("string").fillna(out["place_id"])
    out["place_type"] = out["place_id"].map(info["place_type"].astype("string"))
    out["admin1_pcode"] = out["place_id"].map(info["admin1_pcode"].astype("string"))
    out["focus"] = out["place_type"].isin(study.focus_types)
    out["population"] = out["place_id"].map(info["population"])
    out["latitude"] = out["place_id"].map(info["latitude"])
    out["longitude"] = out["place_id"].map(info["longitude"])
    out["fell"] = out["place_id"].isin(first.index)
    out["event_id"] = out["place_id"].map(first["event_id"].astype("string"))
    out["captured_by"] = out["place_id"].map(first["controller_after"].astype("string"))
    out["claim_status"] = out["place_id"].map(first["claim_status"].astype("string"))
    out["episode_id"] = out["place_id"].map(first["episode_id"].astype("string"))
    out["date_start"] = out["place_id"].map(first["date_start"]).astype("datetime64[us]")
    out["date_end"] = out["place_id"].map(first["date_end"]).astype("datetime64[us]")
    censor = (stop - start).days
    for res in RESOLUTIONS:
        day = window_day(out["date_start"], out["date_end"], res)
        out[f"days_{res}"] = ((day - start).dt.days).fillna(censor).astype(int)
    return out.sort_values(["days_earliest", "place_id"]).reset_index(drop=True)


def horizon(table: pd.DataFrame, study: Study) -> int:
    """Last day (since the start) the table speaks of: the censoring day or a later window end."""
    last = max((int(table.loc[table["fell"], f"days_{r}"].max()) if table["fell"].any() else 0) for r in RESOLUTIONS)
    return max(int((study.end - study.start).days), last)


def collapse_curve(table: pd.DataFrame, study: Study, *, by: str | None = None) -> pd.DataFrame:
    """Cumulative places fallen by day since the start, per resolution (and per ``by`` group).

    Columns: day, group, resolution, fallen (cumulative count), at_risk, share.
    """
    last = horizon(table, study)
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


def time_to_share(table: pd.DataFrame, quantiles=(0.1, 0.5, 0.9), *, focus_only: bool = True) -> pd.DataFrame:
    """T10/T50/T90: days until the given shares of the places at risk (by default the study's
    focus places, such as first-order capitals) had fallen, per resolution; empty where the share
    was never reached."""
    sub = table[table["focus"]] if focus_only else table
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


def daily_captures(table: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Falls per day since the start and places still held at the start of that day, per resolution."""
    last = horizon(table, study)
    rows = []
    for res in RESOLUTIONS:
        days = table.loc[table["fell"], f"days_{res}"].astype(int)
        counts = np.bincount(days, minlength=last + 1)
        held = len(table) - np.concatenate([[0], np.cumsum(counts)[:-1]])
        rows.append(pd.DataFrame({"day": np.arange(last + 1), "resolution": res, "captures": counts,
                                  "held_at_start_of_day": held}))
    out = pd.concat(rows, ignore_index=True)
    out["date"] = study.start + pd.to_timedelta(out["day"], unit="D")
    return out


def peak_rate(table: pd.DataFrame, study: Study) -> pd.DataFrame:
    """The largest number of places lost in one day, and the first day it happened, per resolution."""
    daily = daily_captures(table, study)
    best = daily.sort_values(["resolution", "captures", "day"], ascending=[True, False, True]).groupby("resolution").head(1)
    return best[["resolution", "day", "date", "captures"]].reset_index(drop=True)


def band(frame: pd.DataFrame, value: str, keys: list[str]) -> pd.DataFrame:
    """Pivot a per-resolution table into low/midpoint/high columns (the uncertainty band)."""
    wide = frame.pivot_table(index=keys, columns="resolution", values=value, aggfunc="first")
    wide = wide.reindex(columns=list(RESOLUTIONS))
    out = pd.DataFrame({"low": wide.min(axis=1), "midpoint": wide["midpoint"], "high": wide.max(axis=1)})
    return out.reset_index()


def with_groups(table: pd.DataFrame, admin1: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add the ``place_class`` column and, from the ``admin1`` table's ``region``, the ``region`` column."""
    region = pd.Series(pd.NA, index=table.index, dtype="string")
    if admin1 is not None and "region" in admin1.columns:
        lookup = admin1.set_index(admin1["admin1_pcode"].astype("string"))["region"].astype("string")
        region = table["admin1_pcode"].astype("string").map(lookup)
    return table.assign(place_class=place_class(table["place_type"]), region=region)
