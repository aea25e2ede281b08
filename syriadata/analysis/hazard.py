"""The daily hazard of losing a place: a discrete-time hazard model of a collapse.

Each place at risk contributes one Bernoulli trial per day of the risk period, from the start to
its fall (the day it fell counts as a failure) or to the end (censored). Because the only
covariate is time, the place-days aggregate into one binomial count per day (places held at the
start of the day, places lost that day), and the models are binomial GLMs with a complementary
log-log link (statsmodels ``GLM(..., Binomial(CLogLog()))``): the discrete-time counterpart of a
proportional hazards model.

- :func:`hazard_trend`: ``cloglog(h_t) = a + b t``; ``exp(b)`` is the daily growth of the
  hazard (1: a constant hazard). The days are those of the risk period only, so unobserved
  days after the end never count as exposure.
- :func:`change_point`: ``cloglog(h_t) = a + d [t >= tau]``, the onset of the collapse: the
  break day ``tau`` maximising the profile likelihood (with a step hazard the maximum likelihood
  of each segment is its share of failures, so the profile is exact), and an interval for
  ``tau`` from a parametric bootstrap (falls simulated from the fitted model, ``tau`` refitted).

Both are fitted under each reading and, given imputation draws, per draw: the trend pooled with
Rubin's rules, the break day summarised as the median and range over the draws.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import require
from .dating import READINGS, rubin, summarise
from .losses import horizon
from .study import Study


def day_counts(days: np.ndarray, fell: np.ndarray, last: int) -> pd.DataFrame:
    """Per day 0..last: places held at the start of the day (``n``) and places lost that day (``y``)."""
    days, fell = np.asarray(days, int), np.asarray(fell, bool)
    y = np.bincount(days[fell], minlength=last + 1)[: last + 1]
    leave = np.bincount(np.minimum(days, last), minlength=last + 1)[: last + 1]  # fell or censored that day
    n = len(days) - np.concatenate([[0], np.cumsum(leave)[:-1]])
    return pd.DataFrame({"day": np.arange(last + 1), "n": n, "y": y})


def _fit_trend(counts: pd.DataFrame):
    sm = require("statsmodels.api", "analysis", "hazard_trend")
    counts = counts[counts["n"] > 0]
    if counts["y"].sum() == 0 or len(counts) < 3:
        return None
    endog = np.column_stack([counts["y"], counts["n"] - counts["y"]])
    exog = sm.add_constant(counts["day"].astype(float).to_numpy())
    return sm.GLM(endog, exog, family=sm.families.Binomial(link=sm.families.links.CLogLog())).fit()


def _trend_row(fit, dating: str, counts: pd.DataFrame) -> dict:
    row = {"dating": dating, "days": int((counts["n"] > 0).sum()), "falls": int(counts["y"].sum()),
           "daily_growth": np.nan, "growth_low": np.nan, "growth_high": np.nan, "b": np.nan, "b_se": np.nan}
    if fit is not None:
        b, se = float(fit.params[1]), float(fit.bse[1])
        row.update(b=b, b_se=se, daily_growth=np.exp(b), growth_low=np.exp(b - 1.96 * se),
                   growth_high=np.exp(b + 1.96 * se))
    return row


def hazard_trend(table: pd.DataFrame, study: Study, *, draws=None) -> pd.DataFrame:
    """Daily growth of the hazard of losing a place (``exp(b)`` with its 95% interval), per reading
    and, with ``draws``, pooled over the imputations with Rubin's rules (``dating = imputed``)."""
    last = horizon(study)
    rows = []
    for r in READINGS:
        sub = table[table[f"at_risk_{r}"]]
        counts = day_counts(sub[f"days_{r}"], sub[f"fell_{r}"], last)
        rows.append(_trend_row(_fit_trend(counts), r, counts))
    if draws is not None:
        est, var = [], []
        for d in draws:
            fit = _fit_trend(day_counts(d["days"], d["fell"], last))
            est.append(np.nan if fit is None else fit.params[1])
            var.append(np.nan if fit is None else fit.bse[1] ** 2)
        pooled = rubin(est, var)
        b, se = pooled["estimate"], pooled["se"]
        rows.append({"dating": "imputed", "days": last + 1, "falls": np.nan, "b": b, "b_se": se,
                     "daily_growth": np.exp(b), "growth_low": np.exp(b - 1.96 * se),
                     "growth_high": np.exp(b + 1.96 * se), "imputations": pooled["imputations"]})
    return pd.DataFrame(rows)


def _loglik(y, n) -> float:
    y, n = float(y), float(n)
    if n == 0:
        return 0.0
    h = y / n
    out = 0.0
    if y > 0:
        out += y * np.log(h)
    if n - y > 0:
        out += (n - y) * np.log(1 - h)
    return out


def profile(counts: pd.DataFrame) -> pd.DataFrame:
    """Log-likelihood of a step hazard breaking at each day ``tau`` (1..last), exact for a step."""
    y, n = counts["y"].to_numpy(float), counts["n"].to_numpy(float)
    cy, cn = np.cumsum(y), np.cumsum(n)
    rows = []
    for tau in range(1, len(counts)):
        before = _loglik(cy[tau - 1], cn[tau - 1])
        after = _loglik(cy[-1] - cy[tau - 1], cn[-1] - cn[tau - 1])
        rows.append({"tau": tau, "loglik": before + after,
                     "hazard_before": cy[tau - 1] / cn[tau - 1] if cn[tau - 1] else np.nan,
                     "hazard_after": (cy[-1] - cy[tau - 1]) / (cn[-1] - cn[tau - 1]) if cn[-1] > cn[tau - 1] else np.nan})
    return pd.DataFrame(rows)


def _best(counts: pd.DataFrame) -> dict | None:
    prof = profile(counts)
    if prof.empty or counts["y"].sum() == 0:
        return None
    return prof.loc[prof["loglik"].idxmax()].to_dict()  # the first maximum: the earliest break


def _simulate(n0: int, h: np.ndarray, rng) -> pd.DataFrame:
    n, rows = n0, []
    for t, p in enumerate(h):
        y = rng.binomial(n, p) if n > 0 else 0
        rows.append((t, n, y))
        n -= y
    return pd.DataFrame(rows, columns=["day", "n", "y"])


def change_point(table: pd.DataFrame, study: Study, *, draws=None, bootstrap: int = 200,
                 seed: int = 2024) -> pd.DataFrame:
    """The onset of the collapse: break day ``tau`` of a step hazard, per reading, with a
    parametric-bootstrap 95% interval (``bootstrap`` simulations), and with ``draws`` the median
    and range of ``tau`` over the imputations. Columns: dating, tau, date, hazard_before,
    hazard_after, low, high (days), method."""
    last = horizon(study)
    rng = np.random.default_rng(seed)
    rows = []
    for r in READINGS:
        sub = table[table[f"at_risk_{r}"]]
        counts = day_counts(sub[f"days_{r}"], sub[f"fell_{r}"], last)
        best = _best(counts)
        row = {"dating": r, "tau": np.nan, "hazard_before": np.nan, "hazard_after": np.nan, "low": np.nan,
               "high": np.nan, "method": f"profile likelihood; parametric bootstrap ({bootstrap})"}
        if best is not None:
            tau = int(best["tau"])
            h = np.where(np.arange(last + 1) >= tau, best["hazard_after"], best["hazard_before"])
            sims = [(_best(_simulate(len(sub), h, rng)) or {"tau": np.nan})["tau"] for _ in range(bootstrap)]
            row.update(tau=tau, hazard_before=best["hazard_before"], hazard_after=best["hazard_after"],
                       low=float(np.nanpercentile(sims, 2.5)), high=float(np.nanpercentile(sims, 97.5)))
        rows.append(row)
    if draws is not None:
        taus = [(_best(day_counts(d["days"], d["fell"], last)) or {"tau": np.nan})["tau"] for d in draws]
        s = summarise(taus, "tau")
        rows.append({"dating": "imputed", "tau": s["median"], "hazard_before": np.nan, "hazard_after": np.nan,
                     "low": s["low"], "high": s["high"], "method": f"median and 2.5-97.5% over {s['draws']} imputations"})
    out = pd.DataFrame(rows)
    out["date"] = study.start + pd.to_timedelta(out["tau"], unit="D")
    return out
