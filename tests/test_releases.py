"""Release archives: reproducible builds, verified downloads over real HTTP, caching, offline mode."""
from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import socket
import threading
from pathlib import Path

import pandas as pd
import pytest

import syriadata
from syriadata.descriptor import read_package
from syriadata.diff import diff_packages
from syriadata.releases import ReleaseError, build_release, registry, release_root, unpack

ROOT = Path(__file__).resolve().parent.parent
RELEASES = ROOT / "releases"
PAST = "0.1.0"


def test_build_is_byte_for_byte_reproducible(tmp_path):
    a = build_release(tmp_path / "a")
    b = build_release(tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
    assert a.name == f"syriadata-{syriadata.__version__}.zip"


def test_registry_matches_the_published_archives():
    for version, entry in registry().items():
        data = (RELEASES / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], version
        assert len(data) == entry["bytes"]


def test_version_was_bumped_enough_since_the_last_release(tmp_path):
    last = max(registry(), key=lambda v: tuple(map(int, v.split("."))))
    old = unpack(RELEASES / registry()[last]["file"], tmp_path / last)
    d = diff_packages(old, read_package().root)
    assert d.is_enough(), f"changes since {last} need a {d.required} bump, the descriptor has a {d.actual} bump"


class Server:
    """A real HTTP server on 127.0.0.1 serving one folder, in a thread."""

    def __init__(self, folder: Path):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *a, **k: None
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def no_local_archives(monkeypatch):
    """Exercise the download path: ignore the archives a source checkout keeps in releases/."""
    monkeypatch.setattr("syriadata.releases.local_archive", lambda entry: None)


@pytest.fixture
def served(tmp_path, monkeypatch):
    folder = tmp_path / "www"
    folder.mkdir()
    server = Server(folder)
    monkeypatch.setenv("SYRIADATA_BASE_URL", server.url)
    monkeypatch.setenv("SYRIADATA_CACHE", str(tmp_path / "cache"))
    yield folder, tmp_path / "cache", server
    server.stop()


def publish(folder: Path, data: bytes | None = None) -> None:
    name = registry()[PAST]["file"]
    (folder / name).write_bytes(data if data is not None else (RELEASES / name).read_bytes())


@pytest.mark.skipif(syriadata.__version__ == PAST, reason="needs an installed version newer than the past one")
def test_load_past_version_over_http_then_offline(served):
    folder, cache, server = served
    publish(folder)
    old = syriadata.load_crossings(version=PAST).set_index("place_id")
    new = syriadata.load_crossings().set_index("place_id")
    # 0.1.0 shipped the Arida crossing without sources; 0.1.1 corrected that
    assert pd.isna(old.at["arida_crossing", "source_ids"]) and pd.notna(new.at["arida_crossing", "source_ids"])
    assert read_package(cache / PAST).version == PAST  # unpacked per version, with its own descriptor
    server.stop()  # from now on only the cache can answer
    again = syriadata.load("control_events", version=PAST, offline=True)
    # event ids are never removed, so a past release's events are a subset of today's
    assert len(again) and set(again["event_id"]) <= set(syriadata.load_control_events()["event_id"])


def test_tampered_archive_is_rejected_and_deleted(served):
    folder, cache, _ = served
    data = bytearray((RELEASES / registry()[PAST]["file"]).read_bytes())
    data[len(data) // 2] ^= 0xFF
    publish(folder, bytes(data))
    with pytest.raises(ReleaseError, match="does not match the SHA-256.*deleted"):
        release_root(PAST)
    assert not list((cache / "archives").glob("*.zip")) if (cache / "archives").exists() else True
    assert not (cache / PAST).exists()


def test_truncated_archive_is_rejected(served):
    folder, cache, _ = served
    data = (RELEASES / registry()[PAST]["file"]).read_bytes()
    publish(folder, data[: len(data) // 3])
    with pytest.raises(ReleaseError, match="does not match the SHA-256"):
        release_root(PAST)
    assert not (cache / PAST).exists()


def test_network_failure_says_what_to_do(tmp_path, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SYRIADATA_BASE_URL", f"http://127.0.0.1:{port}/")
    monkeypatch.setenv("SYRIADATA_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ReleaseError, match="could not download.*SYRIADATA_BASE_URL"):
        release_root(PAST)


def test_offline_without_cache_and_unknown_versions(tmp_path, monkeypatch):
    monkeypatch.setenv("SYRIADATA_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ReleaseError, match="offline=True"):
        release_root(PAST, offline=True)
    with pytest.raises(ReleaseError, match=f"known versions: .*{PAST}"):
        syriadata.load("places", version="9.9.9")
    assert release_root(syriadata.__version__, offline=True) == read_package().root


def test_source_checkout_uses_its_own_verified_archive(tmp_path, monkeypatch):
    monkeypatch.undo()  # the real local_archive
    monkeypatch.setenv("SYRIADATA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SYRIADATA_BASE_URL", "http://127.0.0.1:9/")  # would fail if it were used
    assert read_package(release_root(PAST)).version == PAST


def test_cli_diff_between_a_release_archive_and_the_working_tree(tmp_path):
    from conftest import run_cli

    result = run_cli("diff", str(RELEASES / registry()[PAST]["file"]), str(ROOT), "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"syriadata {PAST} -> {syriadata.__version__}" in result.stdout
    assert "Required bump:" in result.stdout
