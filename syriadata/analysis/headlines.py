"""The headline numbers of the collapse, each at the three datings of the windows."""
from __future__ import annotations

import pandas as pd

from .losses import peak_rate, time_to_share
from .study import Study

ORDER = ("earliest", "midpoint", "latest")


def headlines(table: pd.DataFrame, study: Study) -> pd.DataFrame:
    """One row per headline number with its value under earliest, midpoint and latest dating.

    Parameters
    ----------
    table : the output of :func:`~syriadata.analysis.losses.falls` for ``study``.
    study : names the defender, the focus place types and the headline places.
    """
    rows = []

    def add(metric, values: dict):
        rows.append({"metric": metric, **{r: values.get(r) for r in ORDER}})

    focus = table[table["focus"]]
    kinds = " or ".join(t.replace("_", " ") for t in study.focus_types)
    add(f"places {study.defender_label} held at the start", {r: len(table) for r in ORDER})
    add(f"of which focus places ({kinds})", {r: len(focus) for r in ORDER})
    add("places lost by the end of the period", {r: int(table["fell"].sum()) for r in ORDER})
    shares = time_to_share(table)
    for label in ["T10", "T50", "T90"]:
        sub = shares[shares["label"] == label].set_index("resolution")["days"]
        add(f"{label}: days until {label[1:]}% of the focus places had fallen", sub.to_dict())
    peak = peak_rate(table, study).set_index("resolution")
    add("most places lost in one day", peak["captures"].to_dict())
    add("day of that peak (days since the start)", peak["day"].to_dict())
    by_id = table.set_index("place_id")
    for place in study.headline_places:
        if place in by_id.index and by_id.at[place, "fell"]:
            add(f"days to the fall of {by_id.at[place, 'name']}", {r: int(by_id.at[place, f"days_{r}"]) for r in ORDER})
    out = pd.DataFrame(rows)
    for r in ORDER:
        out[r] = out[r].astype("Int64")
    return out
