"""What did the map look like, day by day?

Places coloured by their controller at the end of selected days of the collapse; a black ring
marks a place whose day falls inside a change's date window.
"""
import pandas as pd

import syriadata
from syriadata.figures import plots

from _common import context, write_figure, write_table

DAYS = ["2024-11-26", "2024-11-29", "2024-12-01", "2024-12-04", "2024-12-05", "2024-12-06", "2024-12-07",
        "2024-12-08", "2024-12-10", "2024-12-31", "2025-03-07", "2025-03-31"]


def main(out_dir, root=None):
    ctx = context(root)
    panel = syriadata.panel(DAYS[0], DAYS[-1], resolve="midpoint", events=ctx["tables"]["control_events"])
    panel = panel[panel["date"].isin(pd.to_datetime(DAYS))]
    fig = plots.control_maps(panel, ctx["tables"]["places"], version=ctx["version"],
                             title="Control of places at the end of selected days (midpoint dating)")
    return [write_table(panel, out_dir, "map_snapshots")] + write_figure(fig, out_dir, "control_maps")


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "report")
