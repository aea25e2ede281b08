"""Who held how much?

Share of the gazetteer's places of the study's country, and of their population, held by each
actor each day from the day before the episode to the last day of the record.
"""
import pandas as pd

from syriadata.analysis.shares import control_shares
from syriadata.figures import plots

from _common import context, run, write_figure, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, t = ctx["study"], ctx["tables"]
    places = t["places"][t["places"]["country"] == s.country] if s.country else t["places"]
    events = t["control_events"][t["control_events"]["place_id"].isin(places["place_id"])]
    begin = s.start - pd.Timedelta(days=1)
    shares = control_shares(begin, max(events["date_end"].max(), s.end), events=events, places=places)
    fig = plots.control_shares(shares, version=ctx["version"], palette=ctx["palette"],
                               title="Control shares by actor")
    last = shares[(shares["dating"] == "latest") & (shares["date"] == shares["date"].max())]
    top = last.sort_values("share_places", ascending=False).head(3)
    finding = (f"On {shares['date'].max():%d %B %Y} (latest reading): "
               + ", ".join(f"{ctx['palette'].label(r.controller)} {r.share_places:.0%}" for r in top.itertuples())
               + " of the places in the gazetteer.")
    return {"files": [write_table(shares, out_dir, "control_shares")] + write_figure(fig, out_dir, "control_shares"),
            "finding": finding}


if __name__ == "__main__":
    run(main)
