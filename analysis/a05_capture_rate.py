"""Did the pace of losses accelerate?

Places lost per day as a negative binomial count model with the places the government still held
as exposure; the day coefficient gives the daily growth of the loss rate.
"""
from syriadata.analysis.falls import daily_captures
from syriadata.analysis.rates import capture_rate_model

from _common import context, write_table


def main(out_dir, root=None):
    ctx = context(root)
    return [write_table(daily_captures(ctx["falls"]), out_dir, "daily_losses"),
            write_table(capture_rate_model(ctx["falls"]), out_dir, "capture_rate_model")]


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "report")
