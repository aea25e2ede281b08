"""How fast did each actor advance?

Kilometres per day from each capturing actor's start line (the places it held the day before the
episode began, or its first day's captures if it held none) to the places it took. One row per
actor and dating, never one national number.
"""
from syriadata.analysis.speed import speed_of_advance

from _common import context, run, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    t = ctx["tables"]
    table = speed_of_advance(ctx["falls"], ctx["study"], events=t["control_events"], places=t["places"],
                             actors=t["actors"])
    return [write_table(table, out_dir, "speed_of_advance")]


if __name__ == "__main__":
    run(main)
