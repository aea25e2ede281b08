"""How fast did the defender lose its places?

Cumulative places the study's defender lost from the start of the episode to the end of its
risk period, by kind of place: the imputed median with its range, and the earliest and latest
readings, which bound it; T10/T50/T90 for the focus places; and the largest number of places lost
in one day, with its exact range over every dating the windows allow.
"""
from syriadata.analysis.losses import collapse_curve, peak_rate, time_to_share
from syriadata.figures import plots

from _common import context, focus_label, run, span, when, write_figure, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, t, draws = ctx["study"], ctx["falls"], ctx["draws"]
    curve = collapse_curve(t, s, by="place_class", draws=draws)
    shares = time_to_share(t, draws=draws)
    peak = peak_rate(t, s, draws=draws).set_index("dating")
    t50 = shares[shares["label"] == "T50"].set_index("dating")
    exact = peak.loc["any (exact bounds)"]
    finding = (f"Half of the {int(t50.at['latest', 'places_at_risk'])} {focus_label(s)} had fallen within "
               f"{span(t50.at['earliest', 'days'], t50.at['latest', 'days'])} of {when(s, 0)}. The largest loss in "
               f"one day was {span(peak.at['imputed', 'low'], peak.at['imputed', 'high'], 'places')} in 95% of the "
               f"imputations (any dating the windows allow: {span(exact['low'], exact['high'], 'places')}).")
    outputs = [write_table(curve, out_dir, "collapse_curve"), write_table(shares, out_dir, "focus_t10_t50_t90"),
               write_table(peak.reset_index(), out_dir, "peak_losses_per_day")]
    fig = plots.collapse_curve(curve, version=ctx["version"], start=s.start, defender=s.defender_label,
                               title=f"Places lost by {s.defender_label}, {s.period}")
    return {"files": outputs + write_figure(fig, out_dir, "collapse_curve"), "finding": finding}


if __name__ == "__main__":
    run(main)
