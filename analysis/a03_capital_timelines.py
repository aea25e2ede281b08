"""Who held each governorate capital, day by day?

Control spells of the 14 governorate capitals from 26 November 2024 to 31 March 2025, one bar
per city, coloured by controller; hatching marks the date window of each change.
"""
import pandas as pd

import syriadata
from syriadata.figures import plots

from _common import context, write_figure, write_table


def main(out_dir, root=None):
    ctx = context(root)
    places = ctx["tables"]["places"]
    caps = places[places["place_type"].isin(["governorate_capital", "national_capital"])]
    spells = syriadata.timeline(events=ctx["tables"]["control_events"])
    spells = spells[spells["place_id"].isin(caps["place_id"])]
    fig = plots.control_timeline(spells, names=dict(zip(caps["place_id"], caps["name"])), version=ctx["version"],
                                 start=pd.Timestamp("2024-11-20"), end=pd.Timestamp("2025-03-31"),
                                 title="Who held the governorate capitals, 26 November 2024 - 31 March 2025")
    return [write_table(spells, out_dir, "capital_spells")] + write_figure(fig, out_dir, "capital_timelines")


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "report")
