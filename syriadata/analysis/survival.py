"""Survival analysis of time to fall (statsmodels), under both readings of the date windows.

statsmodels' duration models take right-censored data only, so every model is fitted under the
earliest and the latest reading (:mod:`syriadata.analysis.dating`). Kaplan-Meier curves are
monotone in the dating, so the two readings bound them; test statistics, p-values and hazard
ratios are not, and are given per reading (and pooled over imputations by the callers that need a
single figure). Each place's rows are those at risk under that reading.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import require
from .dating import READINGS


def _sample(table: pd.DataFrame, reading: str) -> pd.DataFrame:
    sub = table[table[f"at_risk_{reading}"]]
    return sub.assign(_t=sub[f"days_{reading}"].astype(float), _d=sub[f"fell_{reading}"].astype(int))


def kaplan_meier(table: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Kaplan-Meier survival (share of places still held) by day, per reading and group, with
    pointwise 95% bounds from statsmodels' standard errors.

    Parameters
    ----------
    table : the output of :func:`~syriadata.analysis.losses.falls`.
    by : a column to group by (one curve per group), or None.
    """
    SurvfuncRight = require("statsmodels.duration.survfunc", "analysis", "kaplan_meier").SurvfuncRight

    rows = []
    for r in READINGS:
        sample = _sample(table, r)
        groups = sample[by].astype("string").fillna("(none)") if by else pd.Series("all", index=sample.index)
        for group, idx in sorted(groups.groupby(groups).groups.items()):
            sub = sample.loc[idx]
            sf = SurvfuncRight(sub["_t"].to_numpy(), sub["_d"].to_numpy())
            prob, se = np.asarray(sf.surv_prob), np.asarray(sf.surv_prob_se)
            frame = pd.DataFrame({"day": sf.surv_times, "survival": prob,
                                  "lower": np.clip(prob - 1.96 * se, 0, 1), "upper": np.clip(prob + 1.96 * se, 0, 1)})
            if not len(frame) or frame["day"].iloc[0] > 0:  # the curve starts at 1 on day 0
                frame = pd.concat([pd.DataFrame({"day": [0.0], "survival": [1.0], "lower": [1.0], "upper": [1.0]}),
                                   frame], ignore_index=True)
            rows.append(frame.assign(group=group, dating=r, n=len(sub)))
    return pd.concat(rows, ignore_index=True)


def median_ci(table: pd.DataFrame, *, q: float = 0.5) -> pd.DataFrame:
    """The ``q`` quantile of time to fall with its 95% confidence interval
    (statsmodels ``SurvfuncRight.quantile_ci``, cloglog transform), per reading; NaN bounds
    where the data do not reach them."""
    SurvfuncRight = require("statsmodels.duration.survfunc", "analysis", "median_ci").SurvfuncRight

    rows = []
    for r in READINGS:
        sub = _sample(table, r)
        row = {"dating": r, "quantile": q, "days": np.nan, "low": np.nan, "high": np.nan, "n": len(sub)}
        if sub["_d"].any():
            sf = SurvfuncRight(sub["_t"].to_numpy(), sub["_d"].to_numpy())
            with np.errstate(divide="ignore", invalid="ignore"):  # a curve that reaches 0 has no upper limit
                lo, hi = sf.quantile_ci(q)
            row.update(days=float(sf.quantile(q)), low=float(lo), high=float(hi))
        rows.append(row)
    return pd.DataFrame(rows)


def logrank(table: pd.DataFrame, by: str, *, strata: str | None = None, descriptive: bool = False) -> pd.DataFrame:
    """Log-rank test (statsmodels ``survdiff``) of equal time to fall across the groups of ``by``,
    per reading, optionally stratified by ``strata``.

    ``descriptive`` marks a grouping that describes the course of one offensive rather than a
    hypothesis (e.g. regions along its route): its p-value is reported but not as a test.
    One group, or no falls, gives an empty result rather than an error.
    """
    survdiff = require("statsmodels.duration.survfunc", "analysis", "logrank").survdiff

    rows = []
    for r in READINGS:
        sub = _sample(table, r)
        groups = sub[by].astype("string").fillna("(none)").to_numpy()
        row = {"grouping": by, "dating": r, "groups": len(set(groups)), "chi2": np.nan, "df": len(set(groups)) - 1,
               "p_value": np.nan, "strata": strata or "", "use": "descriptive only" if descriptive else "test"}
        if len(set(groups)) >= 2 and sub["_d"].any():
            kw = {"strata": sub[strata].astype("string").fillna("(none)").to_numpy()} if strata else {}
            chi2, p = survdiff(sub["_t"].to_numpy(), sub["_d"].to_numpy(), groups, **kw)
            row.update(chi2=float(chi2), p_value=float(p))
        rows.append(row)
    return pd.DataFrame(rows)


def cumulative_incidence(table: pd.DataFrame) -> pd.DataFrame:
    """Competing risks: cumulative incidence of falling to each capturing actor (statsmodels
    ``CumIncidenceRight``), per reading."""
    CumIncidenceRight = require("statsmodels.duration.survfunc", "analysis", "cumulative_incidence").CumIncidenceRight

    rows = []
    for r in READINGS:
        sub = _sample(table, r)
        actors = sorted(sub.loc[sub["_d"] == 1, "captured_by"].dropna().unique())
        code = {a: i + 1 for i, a in enumerate(actors)}
        status = sub["captured_by"].map(code).where(sub["_d"] == 1, 0).fillna(0).astype(int).to_numpy()
        if not actors:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):  # its standard errors divide by zero at the end
            ci = CumIncidenceRight(sub["_t"].to_numpy(), status)
        for actor, k in code.items():
            rows.append(pd.DataFrame({"day": ci.times, "incidence": ci.cinc[k - 1], "actor": actor, "dating": r}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["day", "incidence", "actor", "dating"])


def cox(table: pd.DataFrame, covariates: list[str], *, cause: str | None = None,
        cluster: str | None = None) -> pd.DataFrame:
    """Cox proportional hazards (statsmodels ``PHReg``, Efron ties) of time to fall, per reading.

    Parameters
    ----------
    table : the output of :func:`~syriadata.analysis.losses.falls`, with the covariate columns.
    covariates : column names; rows with a missing covariate are dropped.
    cause : a capturing actor: a cause-specific model, in which falls to other actors are
        censored at their day (the hazard of falling to ``cause``). None: any fall.
    cluster : a column whose groups (e.g. first-order units) get cluster-robust standard errors;
        where the sandwich estimate cannot be had (too few falls per cluster) the model-based errors
        are given and ``errors`` says so.

    Columns: dating, cause, term, coef, hazard_ratio, hr_low, hr_high, p_value, n (places used),
    events, dropped (places at risk left out for a missing covariate), ph_rho and ph_p (Spearman
    correlation of the Schoenfeld residuals with time: a small p-value says proportional hazards
    fails for that term). A covariate that does not vary, or no more events than covariates,
    gives empty estimates rather than an error.
    """
    PHReg = require("statsmodels.duration.hazard_regression", "analysis", "cox").PHReg
    from scipy.stats import spearmanr

    rows = []
    for r in READINGS:
        sample = _sample(table, r)
        data = sample.dropna(subset=covariates)
        status = data["_d"].to_numpy()
        if cause is not None:
            status = status * (data["captured_by"].astype("string") == cause).fillna(False).to_numpy(int)
        used = [c for c in covariates if data[c].astype(float).nunique() > 1]
        events = int(status.sum())
        fit, errors = None, ""
        if used and events > len(used):
            model = PHReg(data["_t"].to_numpy(), data[used].astype(float), status=status, ties="efron")
            groups = data[cluster].astype("string").fillna("(none)").to_numpy() if cluster else None
            fit = model.fit(groups=groups) if cluster else model.fit()
            ci = np.asarray(fit.conf_int())
            errors = cluster or "model"
            if cluster and not np.isfinite(ci).all():  # too few falls per cluster for a sandwich estimate
                fit, errors = model.fit(), "model (cluster-robust not estimable)"
                ci = np.asarray(fit.conf_int())
            resid = np.asarray(fit.schoenfeld_residuals)
        for term in covariates:
            row = {"dating": r, "cause": cause or "any", "term": term, "coef": np.nan, "hazard_ratio": np.nan,
                   "hr_low": np.nan, "hr_high": np.nan, "p_value": np.nan, "n": len(data), "events": events,
                   "dropped": len(sample) - len(data), "ph_rho": np.nan, "ph_p": np.nan,
                   "errors": errors if fit is not None else ""}
            if fit is not None and term in used:
                i = used.index(term)
                row.update(coef=fit.params[i], hazard_ratio=np.exp(fit.params[i]), hr_low=np.exp(ci[i, 0]),
                           hr_high=np.exp(ci[i, 1]), p_value=fit.pvalues[i])
                ok = status.astype(bool) & ~np.isnan(resid[:, i])
                if ok.sum() >= 3 and np.nanstd(resid[ok, i]) > 0:
                    rho, p = spearmanr(data["_t"].to_numpy()[ok], resid[ok, i])
                    row.update(ph_rho=float(rho), ph_p=float(p))
            rows.append(row)
    return pd.DataFrame(rows)


def logrank_imputed(draws, groups: pd.Series, *, label: str | None = None) -> pd.DataFrame:
    """Log-rank test of ``groups`` (a Series: place id -> group) on every imputation draw: the
    median p-value and its 2.5-97.5 % range. Where the groups differ in how precisely their
    changes are dated (capitals reported to the day, small places within a week, say), either
    reading alone shifts one group against the other and can make a difference that is not
    there; drawing every day within its window does not.
    """
    survdiff = require("statsmodels.duration.survfunc", "analysis", "logrank_imputed").survdiff
    from .dating import summarise

    ps = []
    for d in draws:
        g = d["place_id"].map(groups)
        d = d[g.notna()]
        g = g[g.notna()].astype(str).to_numpy()
        if len(set(g)) < 2 or not d["fell"].any():
            ps.append(np.nan)
            continue
        ps.append(float(survdiff(d["days"].to_numpy(float), d["fell"].astype(int).to_numpy(), g)[1]))
    s = summarise(ps, "p_value")
    return pd.DataFrame([{"grouping": label or groups.name or "group", "dating": "imputed", "p_value": s["median"],
                          "p_low": s["low"], "p_high": s["high"], "draws": s["draws"]}])
