"""Compare studies (episodes with a defender) with the same yardsticks.

Every yardstick is computed over each study's own places at risk (those its defender held the
day before it began), never over the places it happened to take: a study that took one of ten
capitals has no T50, rather than a T50 of one place.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain import CAPITAL_TYPES
from .dating import READINGS
from .losses import falls, quantile_days
from .study import Study
from .survival import logrank, median_ci


def compare_studies(studies: list[Study], *, events: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Per study and reading: places and focus places at risk, how many fell, T10/T50/T90 of the
    focus places (with a 95% interval for T50 from the Kaplan-Meier quantile), days to the first
    focus place and to the national capital, and the time between them as a share of the time to
    the national capital (normalised time).

    Parameters
    ----------
    studies : the studies to compare (e.g. :func:`~syriadata.analysis.study.all_studies`).
    events, places : the control events and places.
    """
    rows = []
    for study in studies:
        t = falls(study, events=events, places=places)
        focus = t[t["focus"]]
        ci = median_ci(focus).set_index("dating") if len(focus) else None
        for r in READINGS:
            risk, frisk = t[t[f"at_risk_{r}"]], focus[focus[f"at_risk_{r}"]]
            fdays, ffell = frisk[f"days_{r}"].to_numpy(), frisk[f"fell_{r}"].to_numpy(bool)
            national = risk[(risk["place_type"] == "national_capital") & risk[f"fell_{r}"]][f"days_{r}"]
            first_focus = fdays[ffell].min() if ffell.any() else np.nan
            nat = national.min() if len(national) else np.nan
            rows.append({
                "episode_id": study.episode_id, "name": study.name, "dating": r, "start": study.start,
                "places_at_risk": len(risk), "fell": int(risk[f"fell_{r}"].sum()),
                "focus_at_risk": len(frisk), "focus_fell": int(ffell.sum()),
                **{f"t{q}": quantile_days(fdays, ffell, len(frisk), q / 100) for q in (10, 50, 90)},
                "t50_low": ci.at[r, "low"] if ci is not None else np.nan,
                "t50_high": ci.at[r, "high"] if ci is not None else np.nan,
                "days_to_first_focus": first_focus, "days_to_national_capital": nat,
                "first_focus_to_national_capital": nat - first_focus,
                "share_of_time_to_national_capital": (nat - first_focus) / nat if nat and nat > 0 else np.nan,
            })
    return pd.DataFrame(rows)


def usable_studies(studies: list[Study], *, events: pd.DataFrame,
                   places: pd.DataFrame) -> tuple[list[Study], pd.DataFrame]:
    """The studies whose falls can be computed, and a table of the others with the reason.

    A study cannot be computed when its defender holds no place with a record on the day before it
    starts (e.g. an episode whose defender held only places the gazetteer lacks). A comparison of every
    episode in a package lists such studies rather than stopping at the first.

    Parameters
    ----------
    studies : the studies to check.
    events, places : the control events and places.
    """
    from ..errors import UsageError

    ok, skipped = [], []
    for study in studies:
        try:
            falls(study, events=events, places=places)
        except UsageError as err:
            skipped.append({"episode_id": study.episode_id, "name": study.name, "reason": str(err)})
        else:
            ok.append(study)
    return ok, pd.DataFrame(skipped, columns=["episode_id", "name", "reason"])


def stratified_logrank(studies: list[Study], *, events: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Log-rank test of equal time to fall of capitals across studies, stratified by kind of place
    (national or first-order capital), per reading; one study gives an empty result."""
    parts = []
    for study in studies:
        t = falls(study, events=events, places=places)
        parts.append(t[t["place_type"].isin(CAPITAL_TYPES)].assign(study=study.episode_id))
    if not parts:
        return logrank(pd.DataFrame(columns=["study"]), "study")
    return logrank(pd.concat(parts, ignore_index=True), "study", strata="place_type")
