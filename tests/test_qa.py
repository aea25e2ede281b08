"""The quality report counts what it claims to, and the committed copy is current."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from syriadata.contract.qa import independent_sources, publisher_key, quality_report

ROOT = Path(__file__).resolve().parent.parent


def test_publisher_key_folds_mirrors_and_wire_credits():
    assert publisher_key("WikiMili (Wikipedia mirror)") == publisher_key("Wikipedia") == "wikipedia"
    assert publisher_key("LBCI (AFP)") == "lbci"
    assert publisher_key("Reuters") != publisher_key("LBCI (AFP)")


def test_independent_sources_counts_distinct_publishers():
    tables = {
        "control_events": pd.DataFrame({"event_id": ["E1", "E2", "E3"]}),
        "sources": pd.DataFrame({"source_id": ["a", "b", "c", "d"],
                                 "publisher": ["Wikipedia", "WikiMili (Wikipedia mirror)", "Reuters", "Reuters"]}),
        "event_sources": pd.DataFrame({"event_id": ["E1", "E1", "E2", "E2", "E2"],
                                       "source_id": ["a", "b", "a", "c", "d"]}),
    }
    assert independent_sources(tables).to_dict() == {"E1": 1, "E2": 2, "E3": 0}


def test_committed_quality_report_is_current():
    committed = (ROOT / "docs" / "quality.md").read_text(encoding="utf-8")
    assert committed == quality_report(), "docs/quality.md is stale: run `syriadata qa > docs/quality.md`"


def test_capital_changes_have_two_independent_sources():
    assert "fewer than two independent sources: 0 of" in quality_report()
