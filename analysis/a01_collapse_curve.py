"""How fast did the defender lose its places?

Cumulative places the study's defender lost from the start of the episode to its end, by kind of
place; T10/T50/T90 for the focus places; and the peak number of places lost in one day. Each
figure is given at the earliest, midpoint and latest day of every change's date window.
"""
from syriadata.analysis.losses import collapse_curve, peak_rate, time_to_share
from syriadata.figures import plots

from _common import context, run, write_figure, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s = ctx["study"]
    curve = collapse_curve(ctx["falls"], s, by="place_class")
    outputs = [write_table(curve, out_dir, "collapse_curve"),
               write_table(time_to_share(ctx["falls"]), out_dir, "focus_t10_t50_t90"),
               write_table(peak_rate(ctx["falls"], s), out_dir, "peak_losses_per_day")]
    fig = plots.collapse_curve(curve, version=ctx["version"], start=s.start, defender=s.defender_label,
                               title=f"Places lost by {s.defender_label}, {s.period}")
    return outputs + write_figure(fig, out_dir, "collapse_curve")


if __name__ == "__main__":
    run(main)
