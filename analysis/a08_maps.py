"""What did the map look like, day by day?

Places coloured by their controller at the end of selected days (latest reading of the date
windows): the day before the episode, days spread over the episode, and days spread over the rest
of the record; a black ring marks a place whose day falls inside a change's date window.
"""
import pandas as pd

import syriadata
from syriadata.figures import plots

from _common import context, run, write_figure, write_table


def snapshot_days(start, end, last, n_inside: int = 8, n_after: int = 3) -> list[pd.Timestamp]:
    """The day before ``start``, ``n_inside`` days spread over start..end, ``n_after`` over end..last."""
    inside = pd.date_range(start, end, periods=min(n_inside, (end - start).days + 1)).normalize()
    after = pd.date_range(end, last, periods=n_after + 1)[1:].normalize() if last > end else []
    return sorted({start - pd.Timedelta(days=1), *inside, *after})


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, t = ctx["study"], ctx["tables"]
    places = t["places"][t["places"]["country"] == s.country] if s.country else t["places"]
    events = t["control_events"][t["control_events"]["place_id"].isin(places["place_id"])]
    days = snapshot_days(s.start, s.end, events["date_end"].max())
    panel = syriadata.panel(days[0], days[-1], resolve="latest", events=events)
    panel = panel[panel["date"].isin(days)]
    fig = plots.control_maps(panel, places, version=ctx["version"], palette=ctx["palette"], country=s.country,
                             title="Control of places at the end of selected days (latest reading)")
    uncertain = panel.groupby("date")["uncertain"].sum()
    finding = (f"{len(days)} snapshots from {days[0]:%d %B %Y} to {days[-1]:%d %B %Y}; on the most uncertain day "
               f"({uncertain.idxmax():%d %B %Y}) {int(uncertain.max())} places lie inside a change's date window.")
    return {"files": [write_table(panel, out_dir, "map_snapshots")] + write_figure(fig, out_dir, "control_maps"),
            "finding": finding}


if __name__ == "__main__":
    run(main)
