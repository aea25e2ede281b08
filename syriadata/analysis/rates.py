"""Capture rate per day as a count model: negative binomial with the places still held as exposure."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import require
from .losses import daily_captures
from .study import Study


def capture_rate_model(table: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Fit ``captures_d ~ 1 + day`` (statsmodels ``NegativeBinomial``, NB2) with exposure = places
    the defender still held at the start of day d, per resolution.

    ``rate_day0`` is the estimated share of held places lost per day at the start; ``daily_growth``
    the multiplicative change of that rate per day (exp of the day coefficient).
    Days after the defender held nothing carry no information and are dropped.
    """
    sm = require("statsmodels.api", "analysis", "daily_growth")

    rows = []
    for res, daily in daily_captures(table, study).groupby("resolution", sort=True):
        daily = daily[daily["held_at_start_of_day"] > 0]
        exog = sm.add_constant(daily["day"].astype(float).to_numpy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on a dozen points; reported below
            fit = sm.NegativeBinomial(daily["captures"].to_numpy(float), exog,
                                      exposure=daily["held_at_start_of_day"].to_numpy(float)).fit(disp=0, maxiter=500)
        ci = np.asarray(fit.conf_int())
        rows.append({"resolution": res, "days": len(daily), "rate_day0": float(np.exp(fit.params[0])),
                     "daily_growth": float(np.exp(fit.params[1])), "growth_low": float(np.exp(ci[1, 0])),
                     "growth_high": float(np.exp(ci[1, 1])), "alpha": float(fit.params[2]),
                     "converged": bool(fit.mle_retvals.get("converged", False))})
    return pd.DataFrame(rows)
