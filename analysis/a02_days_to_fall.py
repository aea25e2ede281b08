"""How many days did each place hold out?

Days from the start of the episode until the defender lost each place it held then, with the range
its date window allows and the actor that took it. The figure shows capitals and second-order
administrative centres; the table lists every place.
"""
from syriadata.figures import plots

from _common import context, run, write_figure, write_table

COLUMNS = ["place_id", "name", "place_type", "admin1_pcode", "region", "fell", "captured_by", "claim_status",
           "event_id", "date_start", "date_end", "days_earliest", "days_midpoint", "days_latest"]


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    s, table = ctx["study"], ctx["falls"]
    shown = table[table["place_class"].isin(["capital", "admin-2 centre"])]
    fig = plots.days_to_fall(shown, version=ctx["version"], start=s.start, defender=s.defender_label,
                             palette=ctx["palette"],
                             title=f"Days to fall: capitals and admin-2 centres held by {s.defender_label}")
    return [write_table(table[COLUMNS], out_dir, "days_to_fall")] + write_figure(fig, out_dir, "days_to_fall")


if __name__ == "__main__":
    run(main)
