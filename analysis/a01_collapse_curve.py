"""How fast did the government lose its places?

Cumulative places the government lost from the start of Operation Deterrence of Aggression
(27 November 2024) to the fall of Damascus, by kind of place; T10/T50/T90 for the governorate
capitals; and the peak number of places lost in one day. Each figure is given at the earliest,
midpoint and latest day of every change's date window.
"""
from syriadata.analysis.falls import collapse_curve, peak_rate, time_to_share
from syriadata.figures import plots

from _common import context, write_figure, write_table


def main(out_dir, root=None):
    ctx = context(root)
    curve = collapse_curve(ctx["falls"], by="place_class")
    outputs = [write_table(curve, out_dir, "collapse_curve"),
               write_table(time_to_share(ctx["falls"]), out_dir, "capitals_t10_t50_t90"),
               write_table(peak_rate(ctx["falls"]), out_dir, "peak_losses_per_day")]
    fig = plots.collapse_curve(curve, version=ctx["version"], start=ctx["start"],
                               title="Places lost by the Syrian government, 27 November - 8 December 2024")
    return outputs + write_figure(fig, out_dir, "collapse_curve")


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "report")
