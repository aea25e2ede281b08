"""Did the pace of losses accelerate, and when did the collapse begin?

A discrete-time hazard model of the daily risk of losing a place (binomial GLM with a
complementary log-log link on the place-days of the risk period): the daily growth of the hazard,
per reading and pooled over the imputations with Rubin's rules; and the onset of the collapse as
the break day of a step hazard (profile likelihood, with a parametric-bootstrap interval).
"""
from syriadata.analysis.hazard import change_point, day_counts, hazard_trend
from syriadata.analysis.losses import horizon

from _common import context, run, span, when, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, t, draws = ctx["study"], ctx["falls"], ctx["draws"]
    trend = hazard_trend(t, s, draws=draws)
    onset = change_point(t, s, draws=draws)
    days = day_counts(t["days_latest"], t["fell_latest"], horizon(s)).assign(dating="latest")
    imp = trend.set_index("dating").loc["imputed"]
    on = onset.set_index("dating")
    finding = (f"The daily hazard of losing a place grew by a factor of {imp['daily_growth']:.2f} per day "
               f"(95% {imp['growth_low']:.2f}-{imp['growth_high']:.2f}, pooled over the imputations). "
               f"The collapse began around {when(s, on.at['latest', 'tau'])} (break day "
               f"{span(on.at['imputed', 'low'], on.at['imputed', 'high'])} after the start over the imputations).")
    return {"files": [write_table(days, out_dir, "daily_risk_set"), write_table(trend, out_dir, "hazard_trend"),
                      write_table(onset, out_dir, "collapse_onset")], "finding": finding}


if __name__ == "__main__":
    run(main)
