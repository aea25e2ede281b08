"""How do the studies compare?

The same yardsticks for every study of the package (every episode with a defender), each over its
own places at risk: T10/T50/T90 of the focus places (with a 95% interval for T50), days to the first
focus place and to the national capital, and the time between them as a share of the time to the
national capital; and a log-rank test of time to fall of capitals across studies, stratified by
kind of capital. New studies appear here without code changes.
"""
from syriadata.analysis.episodes import compare_studies, stratified_logrank, usable_studies
from syriadata.analysis.study import all_studies
from syriadata.figures import plots

from _common import context, run, span, write_figure, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    t = ctx["tables"]
    studies, skipped = usable_studies(all_studies(t["episodes"], t["actors"]), events=t["control_events"],
                                      places=t["places"])
    table = compare_studies(studies, events=t["control_events"], places=t["places"])
    tests = stratified_logrank(studies, events=t["control_events"], places=t["places"])
    parts = []
    for ep, sub in table.groupby("episode_id", sort=False):
        sub = sub.set_index("dating")
        parts.append(f"{sub['name'].iloc[0]}: T50 {span(sub.at['earliest', 't50'], sub.at['latest', 't50'])}")
    finding = f"{len(studies)} studies. " + "; ".join(parts) + "."
    if len(skipped):
        finding += (f" Not computed ({len(skipped)}, the defender holds no recorded place the day before the start): "
                    + ", ".join(skipped["episode_id"]) + ".")
    fig = plots.episode_comparison(table, version=ctx["version"], title="Studies compared")
    return {"files": [write_table(table, out_dir, "study_comparison"), write_table(tests, out_dir, "study_logrank"),
                      write_table(skipped, out_dir, "studies_not_computed")]
            + write_figure(fig, out_dir, "study_comparison"), "finding": finding}


if __name__ == "__main__":
    run(main)
