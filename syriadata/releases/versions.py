"""Past versions: the shipped registry, the shared cache and verified downloads.

``release_root(version)`` returns a folder holding that version: the installed package for the
installed version (no network), otherwise the version's folder in a per-version cache
(``SYRIADATA_CACHE``), filled from the source checkout's ``releases/`` archive or from an archive
downloaded from a base address (``SYRIADATA_BASE_URL``: http, https or file) and checked against
the SHA-256 registry shipped in the package (``releases.json``), then validated with that
release's own descriptor.

The registry entry of each version holds ``file``, ``sha256`` and ``bytes`` of the archive, its
``date``, and ``manifest_sha256``: the SHA-256 of the archive's ``SHA256SUMS`` member, computed with::

    python -c "import hashlib, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \\
print(hashlib.sha256(z.read(z.namelist()[0].split('/')[0] + '/SHA256SUMS')).hexdigest())" \\
releases/syriadata-X.Y.Z.zip

A cached folder is checked each time it is used, not only when it is filled: its ``SHA256SUMS``
must hash to ``manifest_sha256`` and every file must match its manifest line, so an edited cache
is noticed even if the manifest was edited with it. It is then refilled from the archive, or, if
no archive can be had, refused with a ReleaseError naming the folder.

The cache is shared by every process of the user and filled without locks: each process unpacks
into its own hidden scratch folder beside the version's folder and renames it into place; if
another process got there first, its (verified) folder is used. A cached folder is never deleted
in place: a bad one is first renamed aside to a unique hidden name.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import urllib.parse
import urllib.request
from importlib.resources import files
from pathlib import Path

from .._atomic import _alive, apply_umask
from ..contract.descriptor import read_package
from ..errors import ReleaseError
from .archives import _CHUNK, _extract, _file_sha256, _problem, _publish, _scratch_beside

DEFAULT_BASE_URL = "https://github.com/syriadata/syriadata/releases/download/v{version}/"
SCHEMES = ("http", "https", "file")


def registry() -> dict:
    """Published versions: {version: {"file", "sha256", "manifest_sha256", "bytes", "date"}}."""
    return json.loads(files("syriadata.releases").joinpath("releases.json").read_text(encoding="utf-8"))


def cache_dir() -> Path:
    env = os.environ.get("SYRIADATA_CACHE")
    if env:
        return Path(env)
    import pooch

    return Path(pooch.os_cache("syriadata"))


def base_url(version: str) -> str:
    base = os.environ.get("SYRIADATA_BASE_URL", DEFAULT_BASE_URL)
    base = base.format(version=version)
    return base if base.endswith("/") else base + "/"


# ---------------------------------------------------------------------------------------------
# the shared cache


def local_archive(entry: dict) -> Path | None:
    """The published archive kept in a source checkout's ``releases/`` folder, if it matches the registry."""
    path = read_package().root / "releases" / entry["file"]
    if path.is_file() and _file_sha256(path) == entry["sha256"]:
        return path
    return None


def _cached_archive(entry: dict) -> Path | None:
    """An archive downloaded earlier into the cache, if it still matches the registry."""
    path = cache_dir() / "archives" / entry["file"]
    if path.is_file() and _file_sha256(path) == entry["sha256"]:
        return path
    return None


def _move_aside(folder: Path) -> None:
    """Take a bad cached folder out of the way (one rename, so no reader sees it half-deleted), then remove it."""
    aside = folder.with_name(f".{folder.name}.bad-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.rename(folder, aside)
    except FileNotFoundError:
        return  # another process moved it already
    shutil.rmtree(aside, ignore_errors=True)


def _clean_stale(folder: Path) -> None:
    """Remove scratch folders beside ``folder`` left by processes that were killed."""
    pattern = re.compile(rf"^\.{re.escape(folder.name)}\.(unpack|bad)-(\d+)-[A-Za-z0-9_]+$")
    try:
        names = os.listdir(folder.parent)
    except FileNotFoundError:
        return
    for name in names:
        m = pattern.match(name)
        if m and not _alive(int(m.group(2))):
            shutil.rmtree(folder.parent / name, ignore_errors=True)


def release_root(version: str, *, offline: bool = False) -> Path:
    """A folder with the data package of ``version`` (see the module docstring)."""
    installed = read_package()
    if version == installed.version:
        return installed.root
    known = registry()
    if version not in known:
        listed = ", ".join(sorted({*known, installed.version}, key=lambda v: tuple(map(int, v.split(".")))))
        raise ReleaseError(f"syriadata {version} is not a published version; known versions: {listed}")
    entry = known[version]
    folder = cache_dir() / version
    modified = None
    if os.path.lexists(folder):
        modified = _problem(folder, entry["manifest_sha256"])
        if modified is None:
            return folder
    archive = local_archive(entry) or _cached_archive(entry)
    if archive is None and offline:
        if modified is not None:
            raise ReleaseError(f"the cached copy of syriadata {version} in {folder} was modified ({modified}) and "
                               "no archive is at hand to restore it; run once without offline=True to download "
                               "it again (the cache folder will be replaced)")
        raise ReleaseError(f"syriadata {version} is not in the cache ({folder}) and offline=True forbids "
                           "downloading it; run once without offline=True")
    if archive is None:
        archive = _download(version, entry)
    _clean_stale(folder)
    if modified is not None:
        _move_aside(folder)
    return _unpack_and_validate(archive, folder, version)


def _download(version: str, entry: dict) -> Path:
    """Fetch the archive of ``version`` into the cache with pooch, checked against the registry."""
    import pooch

    installed = read_package()
    url = base_url(version) + entry["file"]
    _check_scheme(url)
    try:
        path = pooch.retrieve(url, known_hash=f"sha256:{entry['sha256']}", fname=entry["file"],
                              path=cache_dir() / "archives", progressbar=False,
                              downloader=limited_downloader(entry["bytes"], version))
    except ReleaseError:
        raise
    except ValueError as err:  # pooch: hash mismatch; it has already removed the downloaded file
        bad = cache_dir() / "archives" / entry["file"]
        bad.unlink(missing_ok=True)
        raise ReleaseError(f"the download of {url} does not match the SHA-256 recorded for syriadata {version}; "
                           f"the bad file was deleted. Try again later or from another mirror "
                           f"(SYRIADATA_BASE_URL). Details: {err}") from None
    except Exception as err:  # network: urllib's errors, timeouts, HTTP errors
        raise ReleaseError(f"could not download syriadata {version} from {url} ({type(err).__name__}: {err}). "
                           "Check the connection, set SYRIADATA_BASE_URL to a mirror, or use the installed "
                           f"version {installed.version}.") from None
    return Path(path)


def _check_scheme(url: str) -> None:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise ReleaseError(f"cannot download {url}: the protocol {scheme or '(none)'!r} is not supported; "
                           f"SYRIADATA_BASE_URL must start with one of {', '.join(s + '://' for s in SCHEMES)}")


def limited_downloader(limit: int, version: str):
    """A pooch downloader (urllib: http, https, file) that stops once more than ``limit`` bytes arrive.

    The registry knows each archive's size, so a server sending more is wrong or hostile; without
    a limit pooch would fill the disk before checking the hash.
    """
    def download(url: str, output_file, pooch_obj=None, check_only: bool = False):
        _check_scheme(url)
        too_big = ReleaseError(f"the download of {url} is larger than the {limit} bytes recorded for "
                               f"syriadata {version}; it was stopped and deleted. Use another mirror "
                               "(SYRIADATA_BASE_URL).")
        with urllib.request.urlopen(url, timeout=60) as response:
            if check_only:
                return True
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise too_big
            own = not hasattr(output_file, "write")
            fh = open(output_file, "wb") if own else output_file
            try:
                received = 0
                while chunk := response.read(_CHUNK):
                    received += len(chunk)
                    if received > limit:
                        raise too_big
                    fh.write(chunk)
            finally:
                if own:
                    fh.close()
    return download


def _unpack_and_validate(archive, folder: Path, version: str) -> Path:
    """Fill the cache folder of ``version`` from ``archive``: unpacked, checked, validated, renamed into place."""
    entry = registry()[version]
    work = _scratch_beside(folder, "unpack")
    try:
        _extract(Path(archive), work)
        reason = _problem(work, entry["manifest_sha256"])
        if reason is not None:
            raise ReleaseError(f"{Path(archive).name}: does not match syriadata {version} as published ({reason})")
        from ..contract.validate import validate_package

        problems = validate_package(work)
        if problems:
            from ..contract.problems import format_problems

            raise ReleaseError(f"syriadata {version} does not validate against its own descriptor:\n"
                               + format_problems(problems, limit=20))
        apply_umask(work)
        _publish(work, folder, entry["manifest_sha256"], f"syriadata {version}")
    finally:
        if os.path.lexists(work):
            shutil.rmtree(work, ignore_errors=True)
    return folder
