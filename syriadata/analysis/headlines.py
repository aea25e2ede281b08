"""The headline numbers of a study: exact bounds from the two readings, imputation ranges, and
the same numbers on the better-sourced rows only (sensitivity)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain import is_change
from .dating import READINGS
from .losses import falls, peak_rate, time_to_share
from .study import Study


def headlines(table: pd.DataFrame, study: Study, *, draws=None) -> pd.DataFrame:
    """One row per headline number: its value under the earliest and the latest reading, the
    imputed median and 2.5-97.5 % range (with ``draws``), and what the spread is (``band``:
    ``bounds`` for statistics that the readings bound, ``imputation range`` otherwise).

    Parameters
    ----------
    table : the output of :func:`~syriadata.analysis.losses.falls` for ``study``.
    study : names the defender, the focus place types and the headline places.
    draws : imputation outcome frames (:func:`~syriadata.analysis.dating.imputed`), optional.
    """
    rows = []

    def add(metric, values: dict, band: str, imputed=(np.nan, np.nan, np.nan)):
        rows.append({"metric": metric, **{r: values.get(r) for r in READINGS},
                     "imputed": imputed[0], "imputed_low": imputed[1], "imputed_high": imputed[2], "band": band})

    kinds = " or ".join(t.replace("_", " ") for t in study.focus_types)
    at_risk = {r: int(table[f"at_risk_{r}"].sum()) for r in READINGS}
    add(f"places {study.defender_label} held at the start", at_risk, "bounds")
    add(f"of which focus places ({kinds})", {r: int((table["focus"] & table[f"at_risk_{r}"]).sum()) for r in READINGS},
        "bounds")
    lost = {r: int(table[f"fell_{r}"].sum()) for r in READINGS}
    imputed_lost = _imputed([int(d["fell"].sum()) for d in draws]) if draws is not None else (np.nan,) * 3
    add(f"places lost by {study.risk_end.day} {study.risk_end:%B %Y}", lost, "bounds", imputed_lost)
    shares = time_to_share(table, draws=draws).set_index(["label", "dating"])
    for label in ["T10", "T50", "T90"]:
        imp = tuple(shares.loc[(label, "imputed"), ["days", "low", "high"]]) if draws is not None else (np.nan,) * 3
        add(f"{label}: days until {label[1:]}% of the focus places had fallen",
            {r: shares.loc[(label, r), "days"] for r in READINGS}, "bounds", imp)
    peak = peak_rate(table, study, draws=draws).set_index("dating")
    imp = tuple(peak.loc["imputed", ["captures", "low", "high"]]) if draws is not None else (np.nan,) * 3
    add("most places lost in one day", {r: peak.loc[r, "captures"] for r in READINGS}, "imputation range", imp)
    exact = peak.loc["any (exact bounds)"]
    add("most places lost in one day: exact range over every dating the windows allow",
        {"earliest": exact["low"], "latest": exact["high"]}, "exact bounds (integer program)")
    imp = tuple(peak.loc["imputed", ["day", "day_low", "day_high"]]) if draws is not None else (np.nan,) * 3
    add("day of that peak (days since the start)", {r: peak.loc[r, "day"] for r in READINGS}, "imputation range", imp)
    by_id = table.set_index("place_id")
    for place in study.headline_places:
        if place in by_id.index and by_id.loc[place, ["fell_earliest", "fell_latest"]].any():
            imp = (np.nan,) * 3
            if draws is not None:
                imp = _imputed([d.loc[d["place_id"] == place, "days"].iloc[0] if (d["place_id"] == place).any()
                                else np.nan for d in draws])
            add(f"days to the fall of {by_id.at[place, 'name']}",
                {r: by_id.at[place, f"days_{r}"] if by_id.at[place, f"fell_{r}"] else np.nan for r in READINGS},
                "bounds", imp)
    out = pd.DataFrame(rows)
    for col in [*READINGS, "imputed", "imputed_low", "imputed_high"]:
        out[col] = pd.to_numeric(out[col]).round().astype("Int64")
    return out


def _imputed(values) -> tuple:
    arr = np.asarray(values, float)
    arr = arr[~np.isnan(arr)]
    if not len(arr):
        return (np.nan, np.nan, np.nan)
    return (float(np.median(arr)), float(np.percentile(arr, 2.5)), float(np.percentile(arr, 97.5)))


SUBSETS = {
    "all rows": lambda ev: ev,
    "confirmed rows only": lambda ev: ev[ev["claim_status"].astype("string") == "confirmed"],
    "high and medium confidence only": lambda ev: ev[ev["confidence"].astype("string").isin(["high", "medium"])],
}


def sensitivity(study: Study, *, events: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """T10/T50/T90, places lost and the largest one-day loss under each reading, recomputed on
    all rows, on confirmed rows only, and on high- and medium-confidence rows only. A change left
    out breaks its place's chain at that point, so the place does not fall (it is censored):
    the subsets count only the falls those rows support. Baselines and observations are always kept."""
    rows = []
    for name, keep in SUBSETS.items():
        change = is_change(events["event_type"])
        ev = pd.concat([events[~change], keep(events[change])])
        t = falls(study, events=ev, places=places)
        shares = time_to_share(t).set_index(["label", "dating"])["days"]
        peak = peak_rate(t, study).set_index("dating")["captures"]
        for r in READINGS:
            rows.append({"subset": name, "dating": r, "places_lost": int(t[f"fell_{r}"].sum()),
                         "t10": shares[("T10", r)], "t50": shares[("T50", r)], "t90": shares[("T90", r)],
                         "peak_one_day": peak[r], "changes_used": int(is_change(ev["event_type"]).sum())})
    return pd.DataFrame(rows)
