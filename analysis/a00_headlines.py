"""What are the headline numbers?

The size and speed of the defender's losses from the start of the episode: each number under the
earliest and the latest reading of the date windows, the imputed median with its 2.5-97.5% range,
and what kind of band that is; then the same numbers on confirmed rows only and on high- and
medium-confidence rows only.
"""
from syriadata.analysis.headlines import headlines, sensitivity

from _common import context, run, span, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, t = ctx["study"], ctx["tables"]
    table = headlines(ctx["falls"], s, draws=ctx["draws"]).set_index("metric")
    sens = sensitivity(s, events=t["control_events"], places=t["places"])
    t50 = table.loc["T50: days until 50% of the focus places had fallen"]
    lost = table.iloc[2]
    finding = (f"{s.defender_label} held {table.iloc[0]['latest']} places at the start; "
               f"{span(lost['latest'], lost['earliest'], 'of them')} were lost by the end of the period. Half of its "
               f"{table.iloc[1]['latest']} focus places had fallen within {span(t50['earliest'], t50['latest'])}.")
    return {"files": [write_table(table.reset_index(), out_dir, "headlines"),
                      write_table(sens, out_dir, "headlines_sensitivity")], "finding": finding}


if __name__ == "__main__":
    run(main)
