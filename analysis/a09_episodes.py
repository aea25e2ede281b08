"""How do the episodes compare?

The same yardsticks for every episode of the package: changes of control, days to the first
first-order capital and to the national capital, T50 of the capitals it took, and the peak number
of changes in one day. New episodes appear here without code changes.
"""
from syriadata.analysis.episodes import compare_episodes
from syriadata.figures import plots

from _common import context, run, write_figure, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    t = ctx["tables"]
    table = compare_episodes(events=t["control_events"], places=t["places"], episodes=t["episodes"])
    fig = plots.episode_comparison(table, version=ctx["version"], title="Episodes compared")
    return [write_table(table, out_dir, "episode_comparison")] + write_figure(fig, out_dir, "episode_comparison")


if __name__ == "__main__":
    run(main)
