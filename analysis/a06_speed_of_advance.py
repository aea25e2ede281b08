"""How fast did each actor advance?

Kilometres per day of each capturing actor's front (the farthest it had reached from its start
line, or from its first day's captures if it held none), on the actor's own clock, with falls
after the defender's collapse left out; and the speed between consecutive headline places of the
study. One row per actor and dating, never one national number; speeds are not bounded by the two
readings, so the imputation range is given too.
"""
from syriadata.analysis.speed import route_segments, speed_of_advance

from _common import context, run, span, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    t = ctx["tables"]
    table = speed_of_advance(ctx["falls"], ctx["study"], events=t["control_events"], places=t["places"],
                             actors=t["actors"], draws=ctx["draws"])
    segments = route_segments(ctx["falls"], ctx["study"])
    imp = table[(table["dating"] == "imputed") & table["km_per_day"].notna()]
    finding = "; ".join(f"{ctx['palette'].label(r.actor)}: {span(r.low, r.high, 'km per day')}"
                        for r in imp.sort_values("km_per_day", ascending=False).itertuples())
    finding = f"Front speeds over the imputations (95% range): {finding}." if finding else "No front could be measured."
    return {"files": [write_table(table, out_dir, "speed_of_advance"), write_table(segments, out_dir, "route_segments")],
            "finding": finding}


if __name__ == "__main__":
    run(main)
