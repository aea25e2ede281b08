"""Check and normalise the events and places frames an analysis is given.

Analyses run on the bundled package, a user's own folder, or frames a user built (say Afghanistan
2021 in a spreadsheet). Whatever comes in is checked on entry, so a missing column or an empty
risk set is a :class:`~syriadata.errors.UsageError` that says what to supply, not a pandas error
three calls deep.
"""
from __future__ import annotations

import pandas as pd

from ..errors import UsageError

EVENT_COLUMNS = {
    "event_id": "a unique id per row",
    "place_id": "the place the row is about",
    "date_start": "first day of the change's date window (YYYY-MM-DD)",
    "date_end": "last day of the window (the same day if the date is certain)",
    "controller_before": "who held the place before (empty on a place's first, baseline, row)",
    "controller_after": "who held it after",
}
#: optional event columns and the value they take when absent
EVENT_DEFAULTS = {"claim_status": "confirmed", "episode_id": None, "event_type": None, "confidence": None}
PLACE_COLUMNS = {"place_id": "the place's id, as in the events"}
PLACE_DEFAULTS = {"name": None, "place_type": None, "admin1_pcode": None, "population": None,
                  "latitude": None, "longitude": None}


def _missing(frame: pd.DataFrame, required: dict, what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"{what} must be a pandas DataFrame, not {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        need = "; ".join(f"{c}: {required[c]}" for c in missing)
        raise UsageError(f"{what} lack the column(s) {', '.join(missing)} ({need}). "
                         f"The package's own table has them: syriadata.load_{'control_events' if what == 'events' else what}()")


def _dates(frame: pd.DataFrame, cols, what: str) -> pd.DataFrame:
    out = frame.copy()
    for col in cols:
        try:
            out[col] = pd.to_datetime(out[col], format="ISO8601").astype("datetime64[us]")
        except (TypeError, ValueError) as err:
            raise UsageError(f"{what}.{col} must hold ISO 8601 dates (YYYY-MM-DD): {err}") from None
        if out[col].isna().any():
            row = int(out.index[out[col].isna()][0])
            raise UsageError(f"{what}.{col} is empty in row {row}; every event needs a date window")
    return out


def check_events(events: pd.DataFrame) -> pd.DataFrame:
    """Events with the required columns, ISO dates parsed, and optional columns filled in."""
    _missing(events, EVENT_COLUMNS, "events")
    out = _dates(events, ["date_start", "date_end"], "events")
    for col, default in EVENT_DEFAULTS.items():
        if col not in out.columns:
            out[col] = pd.Series(default, index=out.index, dtype="string" if default is None else object)
    bad = out["date_end"] < out["date_start"]
    if bad.any():
        raise UsageError(f"events: date_end before date_start for event {out.loc[bad, 'event_id'].iloc[0]!r}")
    return out


def check_places(places: pd.DataFrame) -> pd.DataFrame:
    """Places with the required column and optional ones filled in (names default to ids)."""
    _missing(places, PLACE_COLUMNS, "places")
    out = places.copy()
    for col, default in PLACE_DEFAULTS.items():
        if col not in out.columns:
            out[col] = out["place_id"] if col == "name" else pd.Series(default, index=out.index, dtype=object)
    out["latitude"] = pd.to_numeric(out["latitude"], errors="coerce")
    out["longitude"] = pd.to_numeric(out["longitude"], errors="coerce")
    out["population"] = pd.to_numeric(out["population"], errors="coerce").astype("Float64")
    return out


def check_actor(actor: str, events: pd.DataFrame, role: str) -> None:
    """``actor`` appears as a controller in the events; else say which actors do."""
    known = set(events["controller_after"].dropna().astype(str)) | set(events["controller_before"].dropna().astype(str))
    if actor not in known:
        import difflib

        close = difflib.get_close_matches(actor, sorted(known), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; controllers in the events: {', '.join(sorted(known)[:12])}"
        raise UsageError(f"the {role} {actor!r} never controls a place in the events{hint}")
