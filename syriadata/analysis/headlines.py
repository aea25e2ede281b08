"""The headline numbers of the collapse, each at the three datings of the windows."""
from __future__ import annotations

import pandas as pd

from .falls import peak_rate, time_to_share

ORDER = ("earliest", "midpoint", "latest")


def headlines(table: pd.DataFrame) -> pd.DataFrame:
    """One row per headline number with its value under earliest, midpoint and latest dating."""
    rows = []

    def add(metric, values: dict):
        rows.append({"metric": metric, **{r: values.get(r) for r in ORDER}})

    caps = table[table["capital"]]
    add("places the government held at the start", {r: len(table) for r in ORDER})
    add("of which governorate capitals", {r: len(caps) for r in ORDER})
    add("places lost by the end of the period", {r: int(table["fell"].sum()) for r in ORDER})
    shares = time_to_share(table)
    for label in ["T10", "T50", "T90"]:
        sub = shares[shares["label"] == label].set_index("resolution")["days"]
        add(f"{label}: days until {label[1:]}% of the capitals had fallen", sub.to_dict())
    peak = peak_rate(table).set_index("resolution")
    add("most places lost in one day", peak["captures"].to_dict())
    add("day of that peak (days since the start)", peak["day"].to_dict())
    by_id = table.set_index("place_id")
    for place in ("aleppo", "hama", "homs", "damascus"):
        if place in by_id.index and by_id.at[place, "fell"]:
            add(f"days to the fall of {by_id.at[place, 'name']}", {r: int(by_id.at[place, f"days_{r}"]) for r in ORDER})
    out = pd.DataFrame(rows)
    for r in ORDER:
        out[r] = out[r].astype("Int64")
    return out
