"""What are the headline numbers?

The size and speed of the government's collapse from 27 November 2024, each computed with every
change dated to the earliest, midpoint and latest day of its window: the spread between the three
columns is the uncertainty the dating alone introduces.
"""
from syriadata.analysis.headlines import headlines

from _common import context, write_table


def main(out_dir, root=None):
    return [write_table(headlines(context(root)["falls"]), out_dir, "headlines")]


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "report")
