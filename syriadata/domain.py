"""The rules of the model of control, in one place: which events count, in what order a place's
chain runs, how a date window resolves to a day, and the package's country-neutral vocabulary.

Control, the engine, the checks, the analyses and the quality report import these instead of
spelling them out again. Nothing here knows any country, actor or episode.
"""
from __future__ import annotations

import pandas as pd

#: the readings of a date window: the change counts from its first day, its midpoint or its last day
RESOLUTIONS = ("earliest", "latest", "midpoint")

#: claim status of an event kept for the record but not part of the chain
RETRACTED = "retracted"

#: event types that state who holds a place rather than a change of control: a place's first row
#: (baseline) and a later check of the holder kept with its sources (observation)
OBSERVATION = "observation"  # kept with its sources, but not a link of the chain (see live_events)
STATE_TYPES = ("baseline", OBSERVATION)
#: event type of a change of the holder's identity without any movement of forces (an armed group
#: becoming the state): a change in the chain, counted apart from changes of control
SUCCESSION = "succession"


def is_change(event_type: pd.Series) -> pd.Series:
    """True for rows that change a place's controller (not a baseline or an observation)."""
    return ~event_type.astype("string").isin(STATE_TYPES).fillna(False)


#: actor type of the rows of ``actors`` that are status codes (``contested``, ``unknown``), not actors
STATUS_ACTOR_TYPE = "status"
#: the status codes, for frames that come without an actors table
STATUS_CODES = ("contested", "unknown")

#: place types that are capitals, in the package's country-neutral vocabulary
CAPITAL_TYPES = ("national_capital", "admin1_capital")
#: place types grouped as administrative centres in curves (second-order units)
CENTRE_TYPES = ("admin2_centre",)

#: the chain order of a place's events: by window start, then window end, then event id
CHAIN_ORDER = ["place_id", "date_start", "date_end", "event_id"]


def live_events(events: pd.DataFrame) -> pd.DataFrame:
    """Events that form chains of control, in chain order: everything but retracted claims and
    observations (a later statement of the holder changes nothing, and a control spell or a
    snapshot's "since" should run from the change that gave the place to its holder).

    A frame without ``claim_status`` or ``event_type`` counts every event.
    """
    if "claim_status" in events.columns:
        events = events[events["claim_status"].astype("string") != RETRACTED]
    if "event_type" in events.columns:
        events = events[(events["event_type"].astype("string") != OBSERVATION).fillna(True)]
    return events.sort_values(CHAIN_ORDER).reset_index(drop=True)


def window_day(start, end, resolve: str):
    """The day of a date window that ``resolve`` picks; the midpoint rounds down to a whole day.

    Works on datetime Series and on integer day numbers alike, so the snapshot, the engine and
    the analyses share one rule.
    """
    if resolve == "earliest":
        return start
    if resolve == "latest":
        return end
    if resolve == "midpoint":
        half = (end - start) // 2
        return start + (half.dt.floor("D") if hasattr(half, "dt") else half)
    from .errors import UsageError

    raise UsageError(f"resolve must be one of {', '.join(RESOLUTIONS)}, not {resolve!r}")


def status_codes(actors: pd.DataFrame | None) -> tuple[str, ...]:
    """Controller values that are status codes rather than actors."""
    if actors is None or "actor_type" not in actors.columns:
        return STATUS_CODES
    return tuple(actors.loc[actors["actor_type"].astype("string") == STATUS_ACTOR_TYPE, "actor_id"].astype(str))


def place_class(place_type: pd.Series) -> pd.Series:
    """Capital / administrative centre / other, for grouping curves and tests."""
    import numpy as np

    kind = place_type.astype("string")
    return pd.Series(np.select([kind.isin(CAPITAL_TYPES), kind.isin(CENTRE_TYPES)],
                               ["capital", "admin-2 centre"], "other"), index=place_type.index)


def country_place_ids(places: pd.DataFrame, country: str) -> set[str]:
    """The place ids of ``country`` (ISO 3166-1 alpha-3); a country without places is a UsageError
    that lists the countries the package has."""
    ids = set(places.loc[places["country"].astype(str) == country, "place_id"].astype(str))
    if not ids:
        from .errors import UsageError

        have = ", ".join(sorted(places["country"].dropna().astype(str).unique()))
        raise UsageError(f"no places of country {country!r}; the package has {have}")
    return ids
