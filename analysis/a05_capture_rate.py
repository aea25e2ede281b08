"""Did the pace of losses accelerate?

Places lost per day as a negative binomial count model with the places the defender still held
as exposure; the day coefficient gives the daily growth of the loss rate.
"""
from syriadata.analysis.losses import daily_captures
from syriadata.analysis.rates import capture_rate_model

from _common import context, run, write_table


def main(out_dir, root=None, study=None):
    ctx = context(root, study)
    return [write_table(daily_captures(ctx["falls"], ctx["study"]), out_dir, "daily_losses"),
            write_table(capture_rate_model(ctx["falls"], ctx["study"]), out_dir, "capture_rate_model")]


if __name__ == "__main__":
    run(main)
