"""A study: what an analysis of one episode needs, read from the episode's row of the data.

The defender (whose territory is measured), the initiators, the period, the place types the
headline quantiles count, the day the defender ceased to exist and the places named in the
headlines all come from ``episodes``; nothing about any country or war is written in code.
Study metadata travels in this explicit object (``DataFrame.attrs`` is dropped by merge and concat).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..domain import CAPITAL_TYPES
from ..errors import UsageError


def _split(value) -> tuple[str, ...]:
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(map(str, value))
    return tuple(v for v in str(value).split(";") if v)


@dataclass(frozen=True)
class Study:
    """One episode as an analysis sees it.

    Parameters
    ----------
    episode_id, name : the episode's id and its name for titles.
    defender : actor id whose places at the end of the day before ``start`` are at risk.
    start, end : first and last day of the period (``end`` censors every reading).
    initiators : actor ids of the side(s) that began it (start lines of the speed of advance).
    focus_types : place types the headline quantiles (T10/T50/T90) count.
    terminal : the day the defender ceased to exist, if it did (ends the risk period).
    headline_places : place ids whose days to fall the headlines state by name.
    country : ISO 3166-1 alpha-3 code (map outline), if the study has one country.
    defender_name : the defender's name for titles (default: its id).
    """

    episode_id: str
    name: str
    defender: str
    start: pd.Timestamp
    end: pd.Timestamp
    initiators: tuple[str, ...] = ()
    focus_types: tuple[str, ...] = CAPITAL_TYPES
    terminal: pd.Timestamp | None = None
    headline_places: tuple[str, ...] = ()
    country: str | None = None
    defender_name: str | None = field(default=None)

    def __post_init__(self):
        for name in ("start", "end", "terminal"):
            value = getattr(self, name)
            if value is None and name == "terminal":
                continue
            try:
                day = pd.Timestamp(value)
            except (TypeError, ValueError):
                day = pd.NaT
            if pd.isna(day):
                raise UsageError(f"study {self.episode_id!r}: {name} must be a date (YYYY-MM-DD), not {value!r}")
            object.__setattr__(self, name, day.normalize())
        if self.end < self.start:
            raise UsageError(f"study {self.episode_id!r}: end {self.end.date()} is before start {self.start.date()}")
        for name in ("initiators", "focus_types", "headline_places"):
            object.__setattr__(self, name, _split(getattr(self, name)))
        if not self.defender:
            raise UsageError(f"study {self.episode_id!r} has no defender: set defender_actor_id in episodes")

    @property
    def risk_end(self) -> pd.Timestamp:
        """Last day of the risk period: the end, or the defender's terminal day if earlier."""
        return min(self.end, self.terminal) if self.terminal is not None else self.end

    @property
    def defender_label(self) -> str:
        return self.defender_name or self.defender.replace("_", " ")

    @property
    def period(self) -> str:
        """The period in words, e.g. '27 November - 8 December 2024'."""
        a, b = self.start, self.end
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day} - {b.day} {b:%B %Y}"
        left = f"{a.day} {a:%B}" + ("" if a.year == b.year else f" {a.year}")
        return f"{left} - {b.day} {b:%B %Y}"


def study_from_row(row, actors: pd.DataFrame | None = None) -> Study:
    """A :class:`Study` from one row of ``episodes`` (a Series or a namedtuple)."""
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    defender = get("defender_actor_id")
    episode = str(get("episode_id"))
    if defender is None or pd.isna(defender):
        raise UsageError(f"episode {episode!r} is not a study: it has no defender_actor_id "
                         "(the actor whose territory would be measured); set one in episodes to study it")
    end = get("date_end")
    terminal = get("terminal_date")
    terminal = None if terminal is None or pd.isna(terminal) else terminal
    if end is None or pd.isna(end):
        if terminal is None:
            raise UsageError(f"episode {episode!r} has neither date_end nor terminal_date; a study needs an end")
        end = terminal
    names = {} if actors is None else dict(zip(actors["actor_id"].astype(str), actors["name"].astype(str)))
    country = get("country")
    return Study(episode_id=episode, name=str(get("name")), defender=str(defender), start=get("date_start"), end=end,
                 initiators=get("initiator_actor_ids"), terminal=terminal,
                 focus_types=_split(get("focus_place_types")) or CAPITAL_TYPES,
                 headline_places=get("headline_place_ids"),
                 country=None if country is None or pd.isna(country) else str(country),
                 defender_name=names.get(str(defender)))


def load_study(episode_id: str, *, root: str | Path | None = None) -> Study:
    """The study of episode ``episode_id`` in the package at ``root`` (default: bundled).

    Parameters
    ----------
    episode_id : a row of ``episodes`` with a defender.
    root : a data package folder; None for the bundled package.
    """
    from ..loaders import load

    episodes, actors = load("episodes", root=root), load("actors", root=root)
    match = episodes[episodes["episode_id"].astype(str) == episode_id]
    if match.empty:
        studies = episodes.loc[episodes["defender_actor_id"].notna(), "episode_id"].astype(str).tolist()
        raise UsageError(f"{episode_id!r} is not an episode of this package; studies: {', '.join(studies) or 'none'}")
    return study_from_row(match.iloc[0], actors)


def default_studies(*, root: str | Path | None = None) -> list[Study]:
    """The studies ``syriadata report`` runs when none is named (``default_study`` true)."""
    from ..loaders import load

    episodes, actors = load("episodes", root=root), load("actors", root=root)
    chosen = episodes[episodes["default_study"].fillna(False).astype(bool)]
    return [study_from_row(row, actors) for _, row in chosen.sort_values("episode_id").iterrows()]


def all_studies(episodes: pd.DataFrame, actors: pd.DataFrame | None = None) -> list[Study]:
    """Every episode that is a study (has a defender and an end), in id order."""
    out = []
    for _, row in episodes.sort_values("episode_id").iterrows():
        if pd.isna(row.get("defender_actor_id")):
            continue
        try:
            out.append(study_from_row(row, actors))
        except UsageError:
            continue  # not a complete study (no end): the comparison skips it
    return out
