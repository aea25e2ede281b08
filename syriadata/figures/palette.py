"""Actor colours and labels for figures, from the ``actors`` table (its ``colour`` and ``name``).

Nothing is keyed by actor id in code: a package of another country brings its own colours. An
actor without a colour gets a neutral grey; an id the table does not know is labelled by its id.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

FALLBACK = "#888888"
RESOLUTION_STYLES = {"earliest": ":", "midpoint": "-", "latest": "--"}


@dataclass(frozen=True)
class Palette:
    """Colours, labels and a stable legend order for actor ids."""

    colours: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    order: tuple = ()

    @classmethod
    def from_actors(cls, actors: pd.DataFrame | None) -> "Palette":
        """Actors with a colour come first, in table order (status codes last); the rest follow by id."""
        if actors is None or actors.empty:
            return cls()
        from ..domain import STATUS_ACTOR_TYPE

        if "actor_type" in actors.columns:  # status codes (contested, unknown) after the actors
            actors = actors.assign(_status=actors["actor_type"].astype("string") == STATUS_ACTOR_TYPE)
            actors = actors.sort_values("_status", kind="stable")
        ids = actors["actor_id"].astype(str)
        colour = actors["colour"] if "colour" in actors.columns else pd.Series(pd.NA, index=actors.index)
        coloured = [(i, str(c)) for i, c in zip(ids, colour) if pd.notna(c)]
        return cls(colours=dict(coloured), labels=dict(zip(ids, actors["name"].astype(str))),
                   order=tuple(i for i, _ in coloured))

    def colour(self, actor) -> str:
        return self.colours.get(str(actor), FALLBACK)

    def label(self, actor) -> str:
        return self.labels.get(str(actor), str(actor).replace("_", " "))

    def sort(self, actors) -> list[str]:
        """``actors`` in legend order: coloured actors in table order, then the rest by id."""
        present = set(map(str, actors))
        known = [a for a in self.order if a in present]
        return known + sorted(present - set(known))
