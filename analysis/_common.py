"""Shared set-up for the analysis scripts: the package, the 2024 collapse, file writers."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

import syriadata
from syriadata.analysis.falls import falls, with_groups

COLLAPSE_EPISODE = "deterrence_of_aggression"


def context(root=None) -> dict:
    """Tables, version and the falls table of the 2024 collapse (the episode's own dates)."""
    tables = syriadata.load_all(root=root)
    ep = tables["episodes"].set_index("episode_id").loc[COLLAPSE_EPISODE]
    table = with_groups(falls(ep["date_start"], ep["date_end"], events=tables["control_events"],
                              places=tables["places"]))
    return {"tables": tables, "version": syriadata.read_package(root).version, "falls": table,
            "start": ep["date_start"], "end": ep["date_end"], "root": root}


def write_table(frame: pd.DataFrame, out_dir: Path, name: str) -> Path:
    """CSV with fixed float formatting and LF endings, so reruns give identical bytes."""
    path = Path(out_dir) / "tables" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format="%.6g", lineterminator="\n", date_format="%Y-%m-%d")
    return path


def write_figure(fig, out_dir: Path, name: str) -> list[Path]:
    from syriadata.figures.plots import save

    (Path(out_dir) / "figures").mkdir(parents=True, exist_ok=True)
    return [Path(p) for p in save(fig, Path(out_dir) / "figures", name)]
