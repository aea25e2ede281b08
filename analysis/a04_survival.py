"""Did capitals fall faster than other places, and to whom?

Kaplan-Meier curves of time to fall by kind of place under both readings (which bound them); a
log-rank test of capitals against other places under each reading and over the imputations (capitals
are dated more precisely than small places, so either reading alone can make a difference that is
not there; the table gives the share of interval-dated falls by kind of place); region comparisons as descriptive only (regions along one
offensive's route restate its route); the cumulative incidence of falling to each capturing actor
(competing risks); and cause-specific Cox models for each captor with enough falls: the hazard of
falling to that captor on distance from the initiators' start line and capital status, falls to
other captors censored, errors clustered by first-order unit, and a proportional-hazards check
(Schoenfeld residuals against time). Population is left out of the model: too many places lack one.
"""
import pandas as pd

from syriadata.analysis.geo import distance_to_held, start_line
from syriadata.analysis.survival import cox, cumulative_incidence, kaplan_meier, logrank, logrank_imputed
from syriadata.figures import plots

from _common import context, run, write_figure, write_table

MIN_FALLS = 10  # a cause-specific model needs at least this many falls to its captor


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, t, tables = ctx["study"], ctx["falls"].copy(), ctx["tables"]
    km = kaplan_meier(t, by="place_class")
    t["capital"] = (t["place_class"] == "capital").astype(float)
    capital = t.set_index("place_id")["capital"].map({1.0: "capital", 0.0: "other"})
    tests = pd.concat([logrank(t, "capital"), logrank_imputed(ctx["draws"], capital, label="capital"),
                       logrank(t, "region", descriptive=True)], ignore_index=True)
    interval_share = t.groupby("place_class").apply(lambda g: (g["days_latest"] > g["days_earliest"]).mean(),
                                                    include_groups=False)
    tests["note"] = ("share of interval-dated falls by kind of place: "
                     + ", ".join(f"{k} {v:.0%}" for k, v in interval_share.items()))
    line = start_line(s.initiators, s.start - pd.Timedelta(days=1), events=tables["control_events"],
                      places=tables["places"])
    t["distance_from_initiator_line_100km"] = distance_to_held(t, line) / 100
    counts = t.loc[t["fell_latest"], "captured_by"].value_counts()
    causes = [a for a, n in counts.items() if n >= MIN_FALLS]
    covariates = ["distance_from_initiator_line_100km", "capital"]
    models = pd.concat([cox(t, covariates, cause=c, cluster="admin1_pcode") for c in causes]
                       or [cox(t.iloc[:0], covariates).iloc[:0]], ignore_index=True)
    finding = "No captor took enough places for a cause-specific model."
    if len(models):
        dist = models[(models["term"] == "distance_from_initiator_line_100km") & (models["dating"] == "latest")
                      & models["hr_low"].notna() & models["hr_high"].notna()]
        finding = "; ".join(
            f"falling to {ctx['palette'].label(r.cause)}: hazard ratio {r.hazard_ratio:.2f} per 100 km from the "
            f"initiators' start line (95% CI {r.hr_low:.2f}-{r.hr_high:.2f}, {r.n} places, latest reading"
            + (f"; proportional hazards doubtful, p = {r.ph_p:.2f}" if r.ph_p < 0.05 else "") + ")"
            for r in dist.itertuples()) + "." if len(dist) else finding
    fig = plots.kaplan_meier(km, version=ctx["version"], start=s.start, defender=s.defender_label,
                             title=f"Share of places still held by {s.defender_label} (Kaplan-Meier)")
    return {"files": [write_table(km, out_dir, "kaplan_meier"), write_table(tests, out_dir, "logrank_tests"),
                      write_table(cumulative_incidence(t), out_dir, "cumulative_incidence_by_actor"),
                      write_table(models, out_dir, "cox_cause_specific")] + write_figure(fig, out_dir, "kaplan_meier"),
            "finding": finding[0].upper() + finding[1:]}


if __name__ == "__main__":
    run(main)
