"""Survival analysis of time to fall (statsmodels), at every resolution of the date windows.

statsmodels' duration models take right-censored data only; interval-dated events are handled by
fitting each model three times, with falls dated to the earliest, latest and midpoint day of their
windows, and reporting the three results side by side.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import require
from ..domain import RESOLUTIONS


def _status(table):
    return table["fell"].astype(int).to_numpy()


def kaplan_meier(table: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Kaplan-Meier survival (share of places still held) by day, per resolution and group,
    with pointwise 95% bounds from statsmodels' standard errors."""
    SurvfuncRight = require("statsmodels.duration.survfunc", "analysis", "kaplan_meier").SurvfuncRight

    groups = table[by].astype("string").fillna("(none)") if by else pd.Series("all", index=table.index)
    rows = []
    for res in RESOLUTIONS:
        for group, idx in sorted(groups.groupby(groups).groups.items()):
            sub = table.loc[idx]
            sf = SurvfuncRight(sub[f"days_{res}"].to_numpy(float), _status(sub))
            prob, se = np.asarray(sf.surv_prob), np.asarray(sf.surv_prob_se)
            frame = pd.DataFrame({"day": sf.surv_times, "survival": prob,
                                  "lower": np.clip(prob - 1.96 * se, 0, 1), "upper": np.clip(prob + 1.96 * se, 0, 1)})
            if not len(frame) or frame["day"].iloc[0] > 0:  # the curve starts at 1 on day 0
                frame = pd.concat([pd.DataFrame({"day": [0.0], "survival": [1.0], "lower": [1.0], "upper": [1.0]}),
                                   frame], ignore_index=True)
            rows.append(frame.assign(group=group, resolution=res, n=len(sub)))
    return pd.concat(rows, ignore_index=True)


def logrank(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Log-rank test (statsmodels ``survdiff``) of equal time to fall across the groups of ``by``."""
    survdiff = require("statsmodels.duration.survfunc", "analysis", "logrank").survdiff

    groups = table[by].astype("string").fillna("(none)").to_numpy()
    rows = []
    for res in RESOLUTIONS:
        row = {"grouping": by, "resolution": res, "groups": len(set(groups)), "chi2": np.nan,
               "df": len(set(groups)) - 1, "p_value": np.nan}
        if len(set(groups)) >= 2 and _status(table).any():  # one group, or no fall: nothing to test
            chi2, p = survdiff(table[f"days_{res}"].to_numpy(float), _status(table), groups)
            row.update(chi2=float(chi2), p_value=float(p))
        rows.append(row)
    return pd.DataFrame(rows)


def cumulative_incidence(table: pd.DataFrame) -> pd.DataFrame:
    """Competing risks: cumulative incidence of falling to each capturing actor (statsmodels
    ``CumIncidenceRight``), per resolution."""
    CumIncidenceRight = require("statsmodels.duration.survfunc", "analysis", "cumulative_incidence").CumIncidenceRight

    actors = sorted(table.loc[table["fell"], "captured_by"].dropna().unique())
    code = {a: i + 1 for i, a in enumerate(actors)}
    status = table["captured_by"].map(code).where(table["fell"], 0).fillna(0).astype(int).to_numpy()
    rows = []
    for res in RESOLUTIONS:
        with np.errstate(divide="ignore", invalid="ignore"):  # its standard errors divide by zero at the end
            ci = CumIncidenceRight(table[f"days_{res}"].to_numpy(float), status)
        for actor, k in code.items():
            rows.append(pd.DataFrame({"day": ci.times, "incidence": ci.cinc[k - 1], "actor": actor,
                                      "resolution": res}))
    return pd.concat(rows, ignore_index=True)


def cox(table: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """Cox proportional hazards (statsmodels ``PHReg``, Efron ties) of time to fall on ``covariates``,
    per resolution. Rows with a missing covariate are dropped; ``n`` and ``events`` say how many were used.
    A covariate that does not vary in the sample, or a sample with no more falls than covariates,
    gives empty estimates rather than an error."""
    PHReg = require("statsmodels.duration.hazard_regression", "analysis", "cox").PHReg

    data = table.dropna(subset=covariates)
    # a covariate without variation in the sample cannot be estimated: reported, not fitted
    used = [c for c in covariates if data[c].astype(float).nunique() > 1]
    exog = data[used].astype(float)
    events = int(_status(data).sum()) if len(data) else 0
    rows = []
    for res in RESOLUTIONS:
        fit = None
        if used and events > len(used):
            fit = PHReg(data[f"days_{res}"].to_numpy(float), exog, status=_status(data), ties="efron").fit()
            ci = np.asarray(fit.conf_int())
        for term in covariates:
            row = {"resolution": res, "term": term, "coef": np.nan, "hazard_ratio": np.nan, "hr_low": np.nan,
                   "hr_high": np.nan, "p_value": np.nan, "n": len(data), "events": events}
            if fit is not None and term in used:
                i = used.index(term)
                row.update(coef=fit.params[i], hazard_ratio=np.exp(fit.params[i]), hr_low=np.exp(ci[i, 0]),
                           hr_high=np.exp(ci[i, 1]), p_value=fit.pvalues[i])
            rows.append(row)
    return pd.DataFrame(rows)
