"""How fast did each actor advance?

Kilometres per day from each capturing actor's start line (the places it held the day before
27 November 2024, or its first day's captures if it held none) to the places it took. One row per
actor and dating, never one national number.
"""
from syriadata.analysis.speed import speed_of_advance

from _common import context, write_table


def main(out_dir, root=None):
    ctx = context(root)
    table = speed_of_advance(ctx["falls"], events=ctx["tables"]["control_events"], places=ctx["tables"]["places"])
    return [write_table(table, out_dir, "speed_of_advance")]


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "report")
