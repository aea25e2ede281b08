"""Output folders never lose a user's files: refusals, atomic replacement, kills at any moment, modes."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from syriadata import _atomic
from syriadata.report import build as report
from syriadata._atomic import MARKER
from syriadata.errors import OutputError
from syriadata.releases.export import export_package
from syriadata.report import build_report

CHECKPOINTS_BEFORE = ["written", "before-exchange"]  # the old output must still be in place
CHECKPOINTS_AFTER = ["after-exchange", "before-cleanup", "done"]  # the new output must be in place


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with its SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: kind, bytes and modification time, to prove nothing changed."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[p.relative_to(folder).as_posix()] = ("dir", None, None) if p.is_dir() else \
            ("file", p.read_bytes(), st.st_mtime_ns)
    return out


def user_folder(path: Path) -> Path:
    """A folder of the user's own files."""
    (path / "sub").mkdir(parents=True)
    (path / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (path / "sub" / "thesis.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return path


def hidden_beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture(scope="module")
def short_scripts():
    """The first three analysis scripts: enough for a real report, fast enough for several runs."""
    return report.scripts()[:3]


@pytest.fixture(scope="module")
def built_report(tmp_path_factory, short_scripts):
    """A report built once (with the first three scripts) to test replacing and refusing reports."""
    out = tmp_path_factory.mktemp("built") / "rep"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report, "scripts", lambda folder=None: list(short_scripts))
        build_report(out, log=lambda msg: None)
    return out


# ---------------------------------------------------------------------------------------------
# refusals


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_refuses_a_folder_of_the_users_files(tmp_path, fmt):
    out = user_folder(tmp_path / "mine")
    before = snapshot(tmp_path)
    with pytest.raises(OutputError) as info:
        export_package(out, fmt)
    message = str(info.value)
    assert str(out) in message and "notes.txt" in message and "sub/thesis.csv" in message
    assert "Choose a new or empty folder, or remove those files yourself" in message
    assert snapshot(tmp_path) == before


def test_report_refuses_a_folder_of_the_users_files(tmp_path):
    out = user_folder(tmp_path / "mine")
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match="no .syriadata-output.json marker.*notes.txt"):
        build_report(out, log=lambda msg: None)
    assert snapshot(tmp_path) == before


def test_marker_plus_an_extra_user_file_is_refused(tmp_path):
    out = export_package(tmp_path / "exp", "csv")
    (out / "data" / "my_analysis.csv").write_text("x\n", encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match=r"did not write \(data/my_analysis.csv\)"):
        export_package(out, "parquet")
    assert snapshot(tmp_path) == before


def test_marker_of_the_other_command_is_refused(tmp_path, built_report):
    rep = tmp_path / "rep"
    shutil.copytree(built_report, rep)
    exp = export_package(tmp_path / "exp", "csv")
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match="holds the output of `syriadata report`, not of `syriadata export`"):
        export_package(rep, "csv")
    with pytest.raises(OutputError, match="holds the output of `syriadata export`, not of `syriadata report`"):
        build_report(exp, log=lambda msg: None)
    assert snapshot(tmp_path) == before


def test_forbidden_places(tmp_path, package_copy, monkeypatch):
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")
    a_file = tmp_path / "file.txt"
    a_file.write_text("mine\n", encoding="utf-8")
    before = snapshot(tmp_path)
    cases = {
        ".": "current folder",
        "..": "current folder or contains it",
        str(tmp_path / "a"): "current folder or contains it",
        str(package_copy): "data package being read",
        str(package_copy.parent / "." / "pkg"): "data package being read",  # resolved before comparing
        str(package_copy / "data"): "data package's data folder",
        str(package_copy / "data" / "out"): "data package's data folder",
        str(a_file): "not a folder",
    }
    for out, why in cases.items():
        with pytest.raises(OutputError, match=why):
            export_package(out, "csv", root=package_copy)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["export", "report"])
def test_cli_out_dot_is_refused_without_traceback(tmp_path, command):
    user_folder(tmp_path)
    before = snapshot(tmp_path)
    args = ["export", "--format", "csv", "--out", "."] if command == "export" else ["report", "--out", "."]
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Invalid argument" not in result.stderr
    assert f"cannot write the output into {tmp_path.resolve()}: it is the current folder" in result.stderr
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------------------------------
# replacing, marker, modes


def test_second_export_replaces_the_first(tmp_path):
    out = export_package(tmp_path / "exp", "csv")
    first = digest(out)
    assert {"datapackage.json", MARKER, "data/places.csv"} <= set(first)
    export_package(out, "parquet")
    second = digest(out)
    assert not any(name.startswith("data/") for name in second)  # no csv file survived
    assert {"datapackage.json", MARKER, "places.parquet"} <= set(second)
    assert sorted(_atomic.read_marker(out)["files"]) == sorted(set(second) - {MARKER})
    assert os.listdir(tmp_path) == ["exp"]  # no scratch or old folder left


def test_empty_folder_is_used(tmp_path):
    (tmp_path / "empty").mkdir()
    out = export_package(tmp_path / "empty", "csv")
    assert _atomic.read_marker(out)["command"] == "export"
    assert os.listdir(tmp_path) == ["empty"]


@pytest.mark.parametrize("umask, dir_mode, file_mode", [(0o022, 0o755, 0o644), (0o077, 0o700, 0o600)])
def test_modes_follow_the_umask(tmp_path, umask, dir_mode, file_mode):
    old = os.umask(umask)
    try:
        out = export_package(tmp_path / "exp", "csv")
    finally:
        os.umask(old)
    dirs = [out, *(p for p in out.rglob("*") if p.is_dir())]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(dirs) == 2 and len(files) > 10
    assert {oct(p.stat().st_mode & 0o777) for p in dirs} == {oct(dir_mode)}
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(file_mode)}


# ---------------------------------------------------------------------------------------------
# failures and kills


def test_report_failing_midway_keeps_the_previous_report(tmp_path, built_report, short_scripts, monkeypatch):
    rep = tmp_path / "rep"
    shutil.copytree(built_report, rep)
    before = digest(rep)
    ran = []
    real_load = report._load_module

    def load(path):
        module = real_load(path)
        ran.append(path.name)
        if path == short_scripts[2]:
            def broken(out_dir, root=None, study=None):
                raise RuntimeError("injected failure in the third script")
            module.main = broken
        return module

    monkeypatch.setattr(report, "scripts", lambda folder=None: list(short_scripts))
    monkeypatch.setattr(report, "_load_module", load)
    with pytest.raises(RuntimeError, match="injected failure"):
        build_report(rep, log=lambda msg: None)
    assert ran == [p.name for p in short_scripts]  # two scripts wrote files before the failure
    assert digest(rep) == before
    assert os.listdir(tmp_path) == ["rep"]


def test_report_replaces_a_previous_report_with_the_same_bytes(tmp_path, built_report, short_scripts, monkeypatch):
    rep = tmp_path / "rep"
    shutil.copytree(built_report, rep)
    (rep / "index.html").write_text("stale\n", encoding="utf-8")  # listed in the marker, so replaceable
    monkeypatch.setattr(report, "scripts", lambda folder=None: list(short_scripts))
    build_report(rep, log=lambda msg: None)
    assert digest(rep) == digest(built_report)
    assert os.listdir(tmp_path) == ["rep"]


@pytest.fixture
def old_export(tmp_path):
    """OUT holds a previous export (parquet) that differs in files and bytes from a csv export."""
    new_ref = export_package(tmp_path / "ref" / "new", "csv")
    out = export_package(tmp_path / "work" / "OUT", "parquet")
    old, new = digest(out), digest(new_ref)
    assert old != new and not set(old) - {MARKER, "datapackage.json"} & set(new)
    return out, old, new


def _export_command(out: Path, *, no_exchange: bool = False) -> list[str]:
    code = ("import sys; import syriadata._atomic as a; "
            + ("a._exchange = lambda *x: False; " if no_exchange else "")
            + "from syriadata.cli import main; sys.exit(main(sys.argv[1:]))")
    return [sys.executable, "-c", code, "export", "--format", "csv", "--out", str(out)]


def _run_killed_at(out: Path, name: str, *, no_exchange: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, _atomic.KILL_ENV: name}
    return subprocess.run(_export_command(out, no_exchange=no_exchange), cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _assert_next_export_is_clean(out: Path, new: dict) -> None:
    export_package(out, "csv")
    assert digest(out) == new
    assert hidden_beside(out) == [] and os.listdir(out.parent) == [out.name]


@pytest.mark.parametrize("name", CHECKPOINTS_BEFORE + CHECKPOINTS_AFTER)
def test_kill_at_each_checkpoint_leaves_old_or_new(old_export, name):
    out, old, new = old_export
    result = _run_killed_at(out, name)
    assert result.returncode == -signal.SIGKILL, result.stderr  # it really was killed there
    assert digest(out) == (old if name in CHECKPOINTS_BEFORE else new)
    _assert_next_export_is_clean(out, new)


def test_kill_at_random_moments_leaves_old_or_new(old_export):
    out, old, new = old_export
    seen = []
    for delay in (0.05, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.3, 2.0):
        if digest(out) != old:
            shutil.rmtree(out)
            export_package(out, "parquet")
            assert digest(out) == old
            _atomic.recover(out)
        proc = subprocess.Popen(_export_command(out), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=60)
        state = digest(out)
        assert state in (old, new), f"killed after {delay} s: a mix of old and new"
        seen.append("old" if state == old else "new")
    assert "old" in seen  # the early kills land before the exchange
    _assert_next_export_is_clean(out, new)


def test_fallback_without_exchange_replaces(old_export, monkeypatch):
    out, old, new = old_export
    monkeypatch.setattr(_atomic, "_exchange", lambda a, b: False)
    _assert_next_export_is_clean(out, new)


def test_fallback_kill_between_renames_is_recovered(old_export):
    out, old, new = old_export
    result = _run_killed_at(out, "between-renames", no_exchange=True)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert not out.exists()  # the one moment the fallback leaves no folder...
    old_left, work_left = hidden_beside(out)  # the old output and the complete new one, both hidden
    assert old_left.startswith(".OUT.old-") and work_left.startswith(".OUT.work-")
    _atomic.recover(out)  # ...which the next run repairs first
    assert digest(out) == old and hidden_beside(out) == []
    result = _run_killed_at(out, "between-renames", no_exchange=True)
    assert result.returncode == -signal.SIGKILL
    _assert_next_export_is_clean(out, new)  # recovery is part of every output command


@pytest.mark.parametrize("name", ["after-exchange", "before-cleanup"])
def test_fallback_kill_after_the_renames_keeps_the_new(old_export, name):
    out, old, new = old_export
    result = _run_killed_at(out, name, no_exchange=True)
    assert result.returncode == -signal.SIGKILL
    assert digest(out) == new and len(hidden_beside(out)) == 1
    _assert_next_export_is_clean(out, new)


def test_hidden_folders_of_a_live_process_are_left_alone(tmp_path):
    out = tmp_path / "OUT"
    mine = tmp_path / f".OUT.work-{os.getpid()}-abc123"  # as if this process were writing it now
    mine.mkdir()
    (mine / "half.csv").write_text("x\n", encoding="utf-8")
    export_package(out, "csv")
    assert (mine / "half.csv").is_file()


def test_renameat2_is_used_on_linux(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux only")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("a", encoding="utf-8")
    (b / "y").write_text("b", encoding="utf-8")
    assert _atomic._exchange(a, b) is True
    assert os.listdir(a) == ["y"] and os.listdir(b) == ["x"]
