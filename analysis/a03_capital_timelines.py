"""Who held each focus place, day by day?

Control spells of the study's focus places (such as first-order capitals) from the day before the
episode to the last day of the record, one bar per place, coloured by controller; hatching marks
the date window of each change.
"""
import pandas as pd

import syriadata
from syriadata.figures import plots

from _common import context, focus_label, run, write_figure, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, places, events = ctx["study"], ctx["tables"]["places"], ctx["tables"]["control_events"]
    focus = places[places["place_type"].isin(s.focus_types)]
    if s.country:
        focus = focus[focus["country"] == s.country]
    spells = syriadata.timeline(events=events)
    spells = spells[spells["place_id"].isin(focus["place_id"])]
    begin = s.start - pd.Timedelta(days=7)
    last = max(events["date_end"].max(), s.end)
    fig = plots.control_timeline(spells, names=dict(zip(focus["place_id"], focus["name"])), version=ctx["version"],
                                 start=begin, end=last, palette=ctx["palette"],
                                 title=f"Who held the {focus_label(s)}, {begin.day} {begin:%B %Y} - {last.day} {last:%B %Y}")
    changes = spells.groupby("place_id").size() - 1
    finding = (f"{int((changes > 0).sum())} of the {len(focus)} {focus_label(s)} changed hands at least once in the "
               f"record, {int((changes > 1).sum())} of them more than once.")
    return {"files": [write_table(spells, out_dir, "focus_spells")] + write_figure(fig, out_dir, "focus_timelines"),
            "finding": finding}


if __name__ == "__main__":
    run(main)
