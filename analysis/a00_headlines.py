"""What are the headline numbers?

The size and speed of the defender's losses from the start of the episode, each computed with
every change dated to the earliest, midpoint and latest day of its window: the spread between the
three columns is the uncertainty the dating alone introduces.
"""
from syriadata.analysis.headlines import headlines

from _common import context, run, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    return [write_table(headlines(ctx["falls"], ctx["study"]), out_dir, "headlines")]


if __name__ == "__main__":
    run(main)
