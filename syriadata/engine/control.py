"""Who held each place, and when: control spells and snapshots from the control events.

An event's date window says when the change happened. At the end of a day inside the window
(``date_start <= day < date_end``) the answer is uncertain; ``resolve`` chooses which day of the
window the change counts from: ``"earliest"`` (date_start), ``"latest"`` (date_end) or
``"midpoint"``. Retracted events are ignored; claimed and disputed ones count, and say so.
"""
from __future__ import annotations

import datetime as _dt
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..domain import RESOLUTIONS, country_place_ids, live_events, window_day  # noqa: F401  (re-exported)
from ..errors import UsageError

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CoverageWarning(UserWarning):
    """A snapshot was asked for a day the data does not cover (before the first baseline or after
    the last sourced day): the answer is the nearest covered state, not a record of that day."""


def parse_day(date) -> pd.Timestamp:
    """``date`` as a day: an ISO 8601 string ``YYYY-MM-DD`` or a date/datetime/Timestamp object.

    Anything else (``None``, ``"06/12/2024"``, ``"6 Dec 2024"``, a number) raises
    :class:`~syriadata.errors.UsageError`: a day written another way is ambiguous (day/month order).
    """
    if isinstance(date, str):
        text = date.strip()
        if _ISO_DAY.match(text):
            try:
                return pd.Timestamp(_dt.date.fromisoformat(text))
            except ValueError as err:
                raise UsageError(f"{date!r} is not a calendar day ({err}); use YYYY-MM-DD") from None
        raise UsageError(f"{date!r} is not an ISO 8601 date; use YYYY-MM-DD (e.g. 2024-12-06)")
    if isinstance(date, (_dt.date, pd.Timestamp, np.datetime64)) and not pd.isna(date):
        return pd.Timestamp(date).normalize()
    raise UsageError(f"a day is needed, not {date!r}; use YYYY-MM-DD (e.g. 2024-12-06)")


def coverage(events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The days the rows cover: the first ``date_start`` (the baseline) and the last ``date_end``."""
    return events["date_start"].min(), events["date_end"].max()


def _warn_outside(day: pd.Timestamp, events: pd.DataFrame, what: str) -> None:
    if events.empty:
        return
    first, last = coverage(events)
    if pd.isna(first) or pd.isna(last) or first <= day <= last:
        return
    side = "before the first baseline" if day < first else "after the last sourced day"
    warnings.warn(f"{day:%Y-%m-%d} is {side}: the {what} cover {first:%Y-%m-%d} to {last:%Y-%m-%d}; "
                  f"the answer {'has no controller yet' if day < first else 'is the last recorded state, not a record of that day'}",
                  CoverageWarning, stacklevel=3)

def _events(events: pd.DataFrame | None, root: str | Path | None) -> pd.DataFrame:
    if events is None:
        from ..loaders import load

        events = load("control_events", root=root)
    return live_events(events)


def effective_dates(events: pd.DataFrame, resolve: str) -> pd.Series:
    """The day each (chain-ordered) event takes effect under ``resolve``.

    Dates are made non-decreasing within a place so that nested windows cannot reorder a chain.
    """
    eff = window_day(events["date_start"], events["date_end"], resolve)
    return eff.groupby(events["place_id"].astype("string"), sort=False).cummax()


def timeline(*, events: pd.DataFrame | None = None, root: str | Path | None = None) -> pd.DataFrame:
    """Control spells: one row per place and uninterrupted holder.

    Columns: place_id, controller, start_from/start_to (window in which the spell began),
    end_from/end_to (window in which it ended; empty while open), open (still held at the end
    of the record), start_event_id, end_event_id, claim_status and confidence of the starting event.
    """
    ev = _events(events, root)
    nxt = ev.groupby("place_id", observed=True, sort=False)[["date_start", "date_end", "event_id"]].shift(-1)
    spells = pd.DataFrame({
        "place_id": ev["place_id"].astype("string"),
        "controller": ev["controller_after"].astype("string"),
        "start_from": ev["date_start"],
        "start_to": ev["date_end"],
        "end_from": nxt["date_start"],
        "end_to": nxt["date_end"],
        "open": nxt["event_id"].isna(),
        "start_event_id": ev["event_id"].astype("string"),
        "end_event_id": nxt["event_id"].astype("string"),
        "claim_status": ev["claim_status"],
        "confidence": ev["confidence"],
    })
    return spells.reset_index(drop=True)


def control_at(date, *, resolve: str = "latest", events: pd.DataFrame | None = None,
               root: str | Path | None = None, country: str | None = None) -> pd.DataFrame:
    """Controller of every place at the end of ``date``.

    Columns: place_id, controller (empty before a place's first record), since_from/since_to (the
    window of the event that gave it), event_id, claim_status, uncertain (the day lies inside a
    change's date window) and controller_alternative (who holds it under the other reading of
    that window).

    ``date`` must be ``YYYY-MM-DD`` (or a date object): anything else raises UsageError. A day
    before the first baseline or after the last sourced day gives a :class:`CoverageWarning` that
    states the coverage.

    ``country`` (ISO 3166-1 alpha-3) keeps that country's places only, and the coverage is that
    country's: a package may hold collapses of several countries decades apart.
    """
    day = parse_day(date)
    ev = _events(events, root)
    if country is not None:
        from ..loaders import load

        mine = country_place_ids(load("places", root=root), country)
        ev = ev[ev["place_id"].astype(str).isin(mine)].reset_index(drop=True)
    _warn_outside(day, ev, "control events" if country is None else f"control events of {country}")
    return _snapshot(day, ev, resolve)


def _snapshot(day: pd.Timestamp, ev: pd.DataFrame, resolve: str) -> pd.DataFrame:
    eff = effective_dates(ev, resolve)
    applied = ev[eff <= day].groupby("place_id", observed=True, sort=False).tail(1).set_index("place_id")
    inside = (ev["date_start"] <= day) & (day < ev["date_end"])
    pending = ev[inside].groupby("place_id", observed=True, sort=False).tail(1).set_index("place_id")
    pending_applied = eff[inside].groupby(ev.loc[inside, "place_id"], observed=True, sort=False).last() <= day
    places = pd.Index(sorted(ev["place_id"].astype(str).unique()), name="place_id")
    out = pd.DataFrame(index=places)
    out["controller"] = applied["controller_after"].astype("string").reindex(places)
    out["since_from"] = applied["date_start"].reindex(places)
    out["since_to"] = applied["date_end"].reindex(places)
    out["event_id"] = applied["event_id"].astype("string").reindex(places)
    out["claim_status"] = applied["claim_status"].reindex(places)
    out["uncertain"] = places.isin(pending.index)
    alt = pending["controller_after"].astype("string").where(
        ~pending_applied.reindex(pending.index).fillna(False).astype(bool),
        pending["controller_before"].astype("string"))
    out["controller_alternative"] = alt.reindex(places).astype("string")
    return out.reset_index()


def crossing_status_at(date, *, resolve: str = "latest", status: pd.DataFrame | None = None,
                       crossings: pd.DataFrame | None = None, root: str | Path | None = None) -> pd.DataFrame:
    """Operational status (open, restricted, closed, unknown) of every crossing at the end of
    ``date``, with the same window rules as :func:`control_at`.

    Every crossing of the ``crossings`` table gets a row (when ``status`` is not given, or
    ``crossings`` is): status ``unknown`` where no status row applies yet or none exists.
    Columns: place_id, status, since_from, since_to, uncertain, status_alternative.
    """
    day = parse_day(date)
    if status is None or crossings is None and root is not None:
        from ..loaders import load

        if status is None:
            status = load("crossing_status", root=root)
        if crossings is None:
            crossings = load("crossings", root=root)
    as_events = pd.DataFrame({
        "event_id": status["place_id"].astype("string") + "@" + status["date_start"].dt.strftime("%Y-%m-%d"),
        "place_id": status["place_id"].astype("string"),
        "date_start": status["date_start"], "date_end": status["date_end"],
        "controller_before": pd.Series(pd.NA, index=status.index, dtype="string"),
        "controller_after": status["status"].astype("string"),
        "claim_status": "confirmed",
    })
    _warn_outside(day, as_events, "crossing status rows")
    out = _snapshot(day, live_events(as_events), resolve)
    if crossings is not None:
        ids = pd.Index(sorted(set(crossings["place_id"].astype(str)) | set(out["place_id"])), name="place_id")
        out = out.set_index("place_id").reindex(ids).reset_index()
        out["uncertain"] = out["uncertain"].fillna(False).astype(bool)
    out = out.rename(columns={"controller": "status", "controller_alternative": "status_alternative"})
    out["status"] = out["status"].astype("string").fillna("unknown")
    return out.drop(columns=["event_id", "claim_status"])
