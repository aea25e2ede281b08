"""How many days did each place hold out?

Days from the start of the episode until the defender lost each place it held then, with the range
its date window allows and the actor that took it. The figure shows capitals and second-order
administrative centres; the table lists every place.
"""
from syriadata.figures import plots

from _common import context, run, span, write_figure, write_table

COLUMNS = ["place_id", "name", "place_type", "admin1_pcode", "region", "fell_earliest", "fell_latest", "captured_by",
           "claim_status", "confidence", "event_id", "date_start", "date_end", "days_earliest", "days_latest",
           "straddles_start"]


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, table = ctx["study"], ctx["falls"]
    shown = table[table["place_class"].isin(["capital", "admin-2 centre"])]
    fig = plots.days_to_fall(shown, version=ctx["version"], start=s.start, defender=s.defender_label,
                             palette=ctx["palette"],
                             title=f"Days to fall: capitals and admin-2 centres held by {s.defender_label}")
    exact = int((table["fell"] & (table["days_earliest"] == table["days_latest"])).sum())
    width = (table["days_latest"] - table["days_earliest"] + 1)[table["fell"] & (table["days_latest"] > table["days_earliest"])]
    finding = (f"Of the {int(table['fell'].sum())} places lost under either reading, {exact} have a loss dated to "
               f"a single day; the windows of the other {len(width)} span {span(width.min(), width.max())}.")
    return {"files": [write_table(table[COLUMNS], out_dir, "days_to_fall")] + write_figure(fig, out_dir, "days_to_fall"),
            "finding": finding}


if __name__ == "__main__":
    run(main)
