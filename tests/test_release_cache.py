"""The shared release cache: concurrent filling, use-time verification, and safe unpacking."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from syriadata.releases import archives, versions
from syriadata.releases.diff import resolve
from syriadata.errors import ReleaseError
from syriadata.releases.archives import unpack
from syriadata.releases.versions import registry, release_root

ROOT = Path(__file__).resolve().parent.parent
PAST = "0.1.0"
ARCHIVE = ROOT / "releases" / registry()[PAST]["file"]
PREFIX = f"syriadata-{PAST}/"


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def published() -> dict[str, str]:
    """The files of the published archive, by path inside its top folder, with their SHA-256."""
    with zipfile.ZipFile(ARCHIVE) as zf:
        return {n[len(PREFIX):]: hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist() if not n.endswith("/")}


def rezip(path: Path, *, extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (), dirs: bool = False) -> Path:
    """A copy of the published archive, optionally with directory entries and extra members."""
    with zipfile.ZipFile(ARCHIVE) as src, zipfile.ZipFile(path, "w") as dst:
        if dirs:
            dst.writestr(zipfile.ZipInfo(PREFIX), b"")
            dst.writestr(zipfile.ZipInfo(PREFIX + "data/"), b"")
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        for info, data in extra:
            dst.writestr(info, data)
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("SYRIADATA_CACHE", str(folder))
    monkeypatch.setenv("SYRIADATA_BASE_URL", "http://127.0.0.1:9/")  # would fail if it were used
    return folder


# ---------------------------------------------------------------------------------------------
# concurrency

WORKER = """
import hashlib, json, os, sys, time
from pathlib import Path
from syriadata.releases.versions import release_root
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.001)
root = release_root(sys.argv[2])
print(json.dumps({"root": str(root), "files": {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                                               for p in sorted(root.rglob("*")) if p.is_file()}}))
"""


@pytest.mark.parametrize("round_", range(3))
def test_four_processes_fill_the_same_version_at_once(tmp_path, round_):
    cache = tmp_path / "cache"
    go = tmp_path / "go"
    env = {**os.environ, "SYRIADATA_CACHE": str(cache), "SYRIADATA_BASE_URL": "http://127.0.0.1:9/"}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(go), PAST], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    time.sleep(1.5)  # let them all import syriadata and wait at the start line
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
    answers = [json.loads(out) for out, _ in results]
    assert {a["root"] for a in answers} == {str(cache / PAST)}
    assert all(a["files"] == answers[0]["files"] for a in answers)
    assert answers[0]["files"] == published()
    assert sorted(os.listdir(cache)) == [PAST]  # every scratch folder was removed


# ---------------------------------------------------------------------------------------------
# verification when the cache is used


def edit_cache(folder: Path) -> None:
    """Change one CSV and its manifest line too, as an editor who knows about SHA256SUMS would."""
    csv = folder / "data" / "places.csv"
    data = csv.read_bytes().replace(b"\n", b"\r\n", 1)
    csv.write_bytes(data)
    manifest = folder / "SHA256SUMS"
    lines = [f"{hashlib.sha256(data).hexdigest()}  data/places.csv" if line.endswith("  data/places.csv") else line
             for line in manifest.read_text(encoding="utf-8").splitlines()]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert archives._verified(folder)  # the folder's own manifest is fooled...
    assert not archives._verified(folder, registry()[PAST]["manifest_sha256"])  # ...the registry is not


def test_edited_cache_is_refilled_from_the_archive(cache):
    folder = release_root(PAST)
    edit_cache(folder)
    assert release_root(PAST) == folder
    assert digest(folder) == published()
    assert sorted(os.listdir(cache)) == [PAST]


def test_edited_cache_without_an_archive_is_refused(cache, monkeypatch):
    folder = release_root(PAST)
    edit_cache(folder)
    edited = digest(folder)
    monkeypatch.setattr(versions, "local_archive", lambda entry: None)
    with pytest.raises(ReleaseError, match=f"cached copy of syriadata {PAST} in {folder} was modified"):
        release_root(PAST, offline=True)
    assert digest(folder) == edited  # left for the user to look at


def test_a_cached_download_restores_an_edited_cache_offline(cache, monkeypatch):
    (cache / "archives").mkdir(parents=True)
    (cache / "archives" / ARCHIVE.name).write_bytes(ARCHIVE.read_bytes())
    monkeypatch.setattr(versions, "local_archive", lambda entry: None)
    folder = release_root(PAST, offline=True)
    edit_cache(folder)
    assert release_root(PAST, offline=True) == folder and digest(folder) == published()


def test_leftovers_of_killed_processes_are_removed(cache):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    cache.mkdir()
    (cache / f".{PAST}.unpack-{pid}-abc").mkdir()
    (cache / f".{PAST}.unpack-{os.getpid()}-live").mkdir()  # a process still unpacking: kept
    release_root(PAST)
    assert sorted(os.listdir(cache)) == [f".{PAST}.unpack-{os.getpid()}-live", PAST]


# ---------------------------------------------------------------------------------------------
# unpacking


def test_rezipped_archive_with_directory_entries(tmp_path):
    archive = rezip(tmp_path / "syriadata-0.1.0.zip", dirs=True)
    assert any(n.endswith("/") for n in zipfile.ZipFile(archive).namelist())
    assert digest(unpack(archive, tmp_path / "u")) == published()
    root = resolve(str(archive), tmp_path / "diff")
    assert root == tmp_path / "diff" / "syriadata-0.1.0" and digest(root) == published()


def test_unpack_into_a_folder_holding_the_same_release_uses_it(tmp_path):
    unpack(ARCHIVE, tmp_path / "u")
    assert digest(unpack(ARCHIVE, tmp_path / "u")) == published()
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ReleaseError, match="already exists and is not the same release"):
        unpack(ARCHIVE, other)
    assert os.listdir(other) == ["mine.txt"]
    assert sorted(os.listdir(tmp_path)) == ["other", "u"]


def symlink_member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize("bad, rule", [
    ("/etc/evil", "unexpected member '/etc/evil'"),
    (PREFIX + "../evil", "unexpected member"),
    (PREFIX + "data/../../evil", "unexpected member"),
    (PREFIX + "data\\evil.csv", "unexpected member"),
    ("C:/evil", "unexpected member 'C:/evil'"),
    ("other-top/evil", "unexpected member"),
    (symlink_member(PREFIX + "data/link"), "is a symbolic link"),
])
def test_unsafe_members_are_refused(tmp_path, bad, rule):
    archive = rezip(tmp_path / "bad.zip", extra=[(bad, b"/etc/passwd")])
    with pytest.raises(ReleaseError, match=rule.replace("\\", "\\\\")):
        unpack(archive, tmp_path / "u")
    assert sorted(os.listdir(tmp_path)) == ["bad.zip"]  # nothing unpacked, no scratch folder left


def test_too_many_members_are_refused(tmp_path):
    archive = rezip(tmp_path / "many.zip", extra=[(f"{PREFIX}junk/{i}", b"") for i in range(1000)])
    with pytest.raises(ReleaseError, match="1013 members, more than the limit of 1000"):
        unpack(archive, tmp_path / "u")
    assert sorted(os.listdir(tmp_path)) == ["many.zip"]


def test_too_many_bytes_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_UNPACKED_BYTES", 100_000)
    with pytest.raises(ReleaseError, match="more than the limit of 100000 bytes"):
        unpack(ARCHIVE, tmp_path / "u")
    assert os.listdir(tmp_path) == []


def test_the_default_size_limit_is_one_gib():
    assert archives.MAX_UNPACKED_BYTES == 1 << 30 and archives.MAX_MEMBERS == 1000


def test_sizes_are_counted_while_extracting_too(tmp_path, monkeypatch):
    """Headers may understate the sizes: the bytes actually written are counted against the limit too."""
    monkeypatch.setattr(archives, "_check_sizes", lambda archive, infos: None)  # headers that pass the check
    monkeypatch.setattr(archives, "MAX_UNPACKED_BYTES", 100_000)
    with pytest.raises(ReleaseError, match="unpacks to more than the limit of 100000 bytes"):
        unpack(ARCHIVE, tmp_path / "u")
    assert os.listdir(tmp_path) == []


def test_a_lying_size_in_the_archive_itself_is_refused(tmp_path):
    data = bytearray(ARCHIVE.read_bytes())
    central = data.index(b"PK\x01\x02")  # first central directory entry: its uncompressed size at +24
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    bad = tmp_path / "lying.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(ReleaseError, match="lying.zip"):
        unpack(bad, tmp_path / "u")
    assert os.listdir(tmp_path) == ["lying.zip"]
