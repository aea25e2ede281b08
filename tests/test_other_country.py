"""One contract, any country: every package in the repo and a synthetic package of another
country go through validate, load, the engine, every analysis function and the report."""
from __future__ import annotations

import re

import pandas as pd
import pytest

import syriadata
import synthetic
from conftest import run_cli
from syriadata.analysis.headlines import headlines
from syriadata.analysis.losses import collapse_curve, daily_captures, falls, peak_rate, time_to_share
from syriadata.analysis.hazard import change_point, hazard_trend
from syriadata.analysis.shares import control_shares
from syriadata.analysis.speed import speed_of_advance
from syriadata.analysis.study import default_studies
from syriadata.analysis.survival import cox, cumulative_incidence, kaplan_meier, logrank
from syriadata.contract.validate import validate_package
from syriadata.errors import UsageError


@pytest.fixture(scope="module", params=["bundled", "synthetic"])
def package(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param) / "pkg"
    return (synthetic.build if request.param == "synthetic" else synthetic.copy_bundled)(folder)


def test_validates_and_loads(package):
    assert validate_package(package) == []
    pkg = syriadata.read_package(package)
    for name in pkg.table_names:
        frame = syriadata.load(name, root=package)
        assert list(frame.columns) == [f["name"] for f in pkg.fields(name)]


def test_engine_agrees_with_the_snapshot(package):
    events = syriadata.load("control_events", root=package)
    study = default_studies(root=package)[0]
    day = study.start + pd.Timedelta(days=(study.end - study.start).days // 2)
    snap = syriadata.control_at(day, events=events).set_index("place_id")
    panel = syriadata.panel(day, day, events=events).set_index("place_id")
    assert (panel["controller"].astype("string") == snap["controller"].reindex(panel.index)).all()


def test_every_analysis_function_runs_on_the_study(package):
    t = syriadata.load_all(root=package)
    study = default_studies(root=package)[0]
    table = falls(study, events=t["control_events"], places=t["places"])
    assert len(table) > 0 and table["focus"].any()
    assert set(collapse_curve(table, study)["dating"]) == {"earliest", "latest"}
    assert len(time_to_share(table)) == 6 and len(peak_rate(table, study)) == 3
    daily = daily_captures(table, study).groupby("dating")["captures"].sum()
    assert daily["earliest"] == table["fell_earliest"].sum() and daily["latest"] == table["fell_latest"].sum()
    assert len(kaplan_meier(table)) and len(logrank(table.assign(g="x"), "g")) == 2
    assert len(cumulative_incidence(table)) and len(cox(table.assign(c=1.0), ["c"])) == 2
    assert len(hazard_trend(table, study)) == 2 and len(change_point(table, study, bootstrap=10)) == 2
    assert len(speed_of_advance(table, study, events=t["control_events"], places=t["places"], actors=t["actors"]))
    assert len(control_shares(study.start, study.end, events=t["control_events"], places=t["places"]))
    assert len(headlines(table, study)) >= 8


def test_synthetic_report_numbers_match_the_hand_computed_values(tmp_path):
    pkg = synthetic.build(tmp_path / "syn")
    out = tmp_path / "report"
    result = run_cli("report", "--dir", str(pkg), "--out", str(out), "--study", synthetic.STUDY)
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(out / "tables" / "headlines.csv").set_index("metric")
    for metric, (earliest, latest) in synthetic.EXPECTED.items():
        assert got.loc[metric, ["earliest", "latest"]].tolist() == [earliest, latest], metric
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "How fast Test Government lost territory: Invented collapse, 1 - 15 August 2021" in page
    assert "Syria" not in page.replace("syriadata", "")  # nothing of the bundled case leaks into the page
    days = pd.read_csv(out / "tables" / "days_to_fall.csv").set_index("place_id")
    assert days.loc["herat", ["days_earliest", "days_latest"]].tolist() == [5, 5]
    assert "musa_qala" not in days.index  # held by the initiator, never at risk


def test_report_refuses_an_episode_that_is_not_a_study(tmp_path):
    result = run_cli("report", "--out", str(tmp_path / "r"), "--study", "dawn_of_freedom")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is not a study: it has no defender_actor_id" in result.stderr
    result = run_cli("report", "--out", str(tmp_path / "r"), "--study", "no_such_episode")
    assert "'no_such_episode' is not an episode of this package; studies: " in result.stderr
    assert "deterrence_of_aggression" in result.stderr.split("studies: ")[1]
    assert not (tmp_path / "r").exists()


# ------------------------------------------------------------ analyses on a user's own frames
def own_frames():
    """Afghanistan-like frames as a user would type them: no claim_status, no admin1, dates as text."""
    events = pd.DataFrame({
        "event_id": ["a", "b", "c", "d"], "place_id": ["kabul", "herat", "herat", "kabul"],
        "date_start": ["2021-07-01", "2021-07-01", "2021-08-06", "2021-08-15"],
        "date_end": ["2021-07-01", "2021-07-01", "2021-08-06", "2021-08-15"],
        "controller_before": [None, None, "gov", "gov"], "controller_after": ["gov", "gov", "tb", "tb"]})
    places = pd.DataFrame({"place_id": ["kabul", "herat"], "place_type": ["national_capital", "admin1_capital"]})
    return events, places


def test_own_frames_without_optional_columns():
    events, places = own_frames()
    study = syriadata.Study(episode_id="afg", name="Afghanistan", defender="gov", start="2021-08-01", end="2021-08-15")
    t = falls(study, events=events, places=places).set_index("place_id")
    assert t.loc["herat", "days_latest"] == 5 and t.loc["kabul", "days_latest"] == 14
    assert t["focus"].all() and t.loc["kabul", "name"] == "kabul"


@pytest.mark.parametrize("change, message", [
    (lambda e, p: (e.drop(columns=["date_end"]), p), "events lack the column(s) date_end"),
    (lambda e, p: (e[e["controller_before"].isna()].assign(date_start="2021-09-01", date_end="2021-09-01"), p),
     "holds no place at the end of 2021-07-31"),
    (lambda e, p: (e.assign(date_start="06/08/2021"), p), "must hold ISO 8601 dates"),
    (lambda e, p: (e, p.drop(columns=["place_id"])), "places lack the column(s) place_id"),
])
def test_own_frames_errors_say_what_to_supply(change, message):
    events, places = change(*own_frames())
    study = syriadata.Study(episode_id="afg", name="Afghanistan", defender="gov", start="2021-08-01", end="2021-08-15")
    with pytest.raises(UsageError, match=re.escape(message)):
        falls(study, events=events, places=places)


def test_unknown_defender_suggests_the_actors():
    events, places = own_frames()
    study = syriadata.Study(episode_id="afg", name="Afghanistan", defender="govt", start="2021-08-01", end="2021-08-15")
    with pytest.raises(UsageError, match="did you mean gov"):
        falls(study, events=events, places=places)


def test_study_needs_a_defender_and_dates():
    with pytest.raises(UsageError, match="has no defender"):
        syriadata.Study(episode_id="x", name="x", defender="", start="2021-08-01", end="2021-08-15")
    with pytest.raises(UsageError, match="end 2021-07-01 is before start"):
        syriadata.Study(episode_id="x", name="x", defender="d", start="2021-08-01", end="2021-07-01")
