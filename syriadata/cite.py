"""How to cite the package (one place, so README, report and CLI agree)."""
from __future__ import annotations


def citation_text(version: str) -> str:
    return (f"syriadata contributors (2026). syriadata: who controlled what in Syria, and when. "
            f"Data package version {version}. Licensed CC BY 4.0.")
