"""Did capitals fall faster than other places, and to whom?

Kaplan-Meier curves of time to fall for capitals, second-order administrative centres and other
places; log-rank tests by kind of place, by region and by the episode in which each place fell;
cumulative incidence of falling to each capturing actor (competing risks); and a Cox model of the
hazard of falling on distance from the initiators' start line, population and capital status.
statsmodels handles right-censoring only, so every model is fitted three times (earliest,
midpoint and latest dating). Whether a neighbour had already fallen is left out: as a fixed
covariate it would look into the future.
"""
import numpy as np
import pandas as pd

from syriadata.analysis.geo import distance_to_held, start_line
from syriadata.analysis.survival import cox, cumulative_incidence, kaplan_meier, logrank
from syriadata.figures import plots

from _common import context, run, write_figure, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, t, tables = ctx["study"], ctx["falls"].copy(), ctx["tables"]
    km = kaplan_meier(t, by="place_class")
    tests = pd.concat([logrank(t, "place_class"), logrank(t, "region"), logrank(t, "episode_id")], ignore_index=True)
    line = start_line(s.initiators, s.start - pd.Timedelta(days=1), events=tables["control_events"],
                      places=tables["places"])
    t["distance_from_initiator_line_100km"] = distance_to_held(t, line) / 100
    t["log_population"] = np.log(t["population"].astype(float).where(lambda p: p > 0))
    t["capital"] = (t["place_class"] == "capital").astype(float)
    model = cox(t, ["distance_from_initiator_line_100km", "log_population", "capital"])
    fig = plots.kaplan_meier(km, version=ctx["version"], start=s.start, defender=s.defender_label,
                             title=f"Share of places still held by {s.defender_label} (Kaplan-Meier)")
    return [write_table(km, out_dir, "kaplan_meier"), write_table(tests, out_dir, "logrank_tests"),
            write_table(cumulative_incidence(t), out_dir, "cumulative_incidence_by_actor"),
            write_table(model, out_dir, "cox_model")] + write_figure(fig, out_dir, "kaplan_meier")


if __name__ == "__main__":
    run(main)
