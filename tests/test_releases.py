"""Release archives: reproducible builds, verified downloads over real HTTP, caching, offline mode."""
from __future__ import annotations

import functools
import hashlib
import http.server
import os
import socket
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import syriadata
from syriadata.contract.descriptor import read_package
from syriadata.releases.diff import diff_packages
from syriadata.errors import OutputError
from syriadata.errors import ReleaseError
from syriadata.releases.archives import build_release, unpack
from syriadata.releases.versions import registry, release_root

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
        with zipfile.ZipFile(RELEASES / entry["file"]) as zf:
            manifest = zf.read(f"syriadata-{version}/SHA256SUMS")
        assert hashlib.sha256(manifest).hexdigest() == entry["manifest_sha256"], version


def test_build_writes_only_its_archive(tmp_path):
    out = tmp_path / "rel"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    old = os.umask(0o027)
    try:
        path = build_release(out)
    finally:
        os.umask(old)
    assert sorted(os.listdir(out)) == sorted([path.name, "notes.txt"])
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)  # not mkstemp's 0600
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None and f"syriadata-{syriadata.__version__}/SHA256SUMS" in zf.namelist()


def test_build_refuses_a_folder_in_the_archives_place_and_cleans_up(tmp_path, monkeypatch):
    taken = tmp_path / f"syriadata-{syriadata.__version__}.zip"
    taken.mkdir()
    (taken / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="taken by a folder"):
        build_release(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [taken.name, f"{taken.name}/keep.txt"]
    out = tmp_path / "fails"

    def broken(self, *a, **k):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", broken)
    with pytest.raises(OSError, match="disk full"):
        build_release(out)
    assert os.listdir(out) == []  # the temporary file was removed


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
        self.httpd.handle_error = lambda request, address: None  # a client hanging up early is expected
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def no_local_archives(monkeypatch):
    """Exercise the download path: ignore the archives a source checkout keeps in releases/."""
    monkeypatch.setattr("syriadata.releases.versions.local_archive", lambda entry: None)


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


def test_file_mirror(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror folder"
    mirror.mkdir()
    publish(mirror)
    monkeypatch.setenv("SYRIADATA_BASE_URL", mirror.as_uri() + "/")
    monkeypatch.setenv("SYRIADATA_CACHE", str(tmp_path / "cache"))
    assert read_package(release_root(PAST)).version == PAST
    archive = tmp_path / "cache" / "archives" / registry()[PAST]["file"]
    assert archive.read_bytes() == (RELEASES / archive.name).read_bytes()


def test_oversized_download_is_stopped(served):
    folder, cache, _ = served
    publish(folder, (RELEASES / registry()[PAST]["file"]).read_bytes() + b"\0" * 100_000)
    with pytest.raises(ReleaseError, match=f"larger than the {registry()[PAST]['bytes']} bytes recorded"):
        release_root(PAST)
    assert not (cache / PAST).exists()
    assert not list((cache / "archives").iterdir()) if (cache / "archives").exists() else True


def test_oversized_download_without_a_length_is_stopped_while_streaming(tmp_path, monkeypatch):
    """A server that announces no length (or lies) is cut off once the bytes received exceed the registry's."""
    sent = []

    class Endless(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(1000):  # up to 64 MB, far more than the archive
                    self.wfile.write(b"\0" * 65536)
                    sent.append(1)
            except OSError:
                pass

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("SYRIADATA_BASE_URL", f"http://127.0.0.1:{httpd.server_address[1]}/")
        monkeypatch.setenv("SYRIADATA_CACHE", str(tmp_path / "cache"))
        with pytest.raises(ReleaseError, match="larger than the .* bytes recorded.*stopped"):
            release_root(PAST)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(sent) < 1000  # the client hung up early
    archives = tmp_path / "cache" / "archives"
    assert not archives.exists() or not list(archives.iterdir())


def test_unsupported_protocol_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("SYRIADATA_BASE_URL", "ftp://example.org/syriadata/")
    monkeypatch.setenv("SYRIADATA_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ReleaseError, match="protocol 'ftp' is not supported.*http://, https://, file://"):
        release_root(PAST)


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
