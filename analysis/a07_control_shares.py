"""Who held how much?

Share of the gazetteer's places, and of their population, held by each actor each day from
26 November 2024 to 31 March 2025.
"""
from syriadata.analysis.shares import control_shares
from syriadata.figures import plots

from _common import context, write_figure, write_table


def main(out_dir, root=None):
    ctx = context(root)
    shares = control_shares("2024-11-26", "2025-03-31", events=ctx["tables"]["control_events"],
                            places=ctx["tables"]["places"])
    fig = plots.control_shares(shares, version=ctx["version"], title="Control shares by actor")
    return [write_table(shares, out_dir, "control_shares")] + write_figure(fig, out_dir, "control_shares")


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "report")
