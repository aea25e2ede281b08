"""How many days did each place hold out?

Days from 27 November 2024 until the government lost each place it held then, with the range
its date window allows and the actor that took it. The figure shows governorate capitals and
district centres; the table lists every place.
"""
from syriadata.figures import plots

from _common import context, write_figure, write_table

COLUMNS = ["place_id", "name", "place_type", "admin1_pcode", "region", "fell", "captured_by", "claim_status",
           "event_id", "date_start", "date_end", "days_earliest", "days_midpoint", "days_latest"]


def main(out_dir, root=None):
    ctx = context(root)
    table = ctx["falls"]
    shown = table[table["place_class"].isin(["capital", "district centre"])]
    fig = plots.days_to_fall(shown, version=ctx["version"], start=ctx["start"],
                             title="Days to fall: governorate capitals and district centres")
    return [write_table(table[COLUMNS], out_dir, "days_to_fall")] + write_figure(fig, out_dir, "days_to_fall")


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "report")
