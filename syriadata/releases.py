"""Release archives and past versions.

``build_release`` writes ``syriadata-<version>.zip``: the descriptor, the CSV files and a SHA-256
manifest, with fixed timestamps, permissions and order, so the same commit gives the same bytes.
``release_root(version)`` returns a folder holding that version: the installed package for the
installed version (no network), otherwise an archive downloaded with pooch from a base address
(``SYRIADATA_BASE_URL``), checked against the SHA-256 registry shipped in the package
(``releases.json``), unpacked into a per-version cache (``SYRIADATA_CACHE``) and validated with
that release's own descriptor.
"""
from __future__ import annotations

import hashlib
import json
import os
import zipfile
from importlib.resources import files
from pathlib import Path

from ._atomic import atomic_dir
from .descriptor import read_package

DEFAULT_BASE_URL = "https://github.com/syriadata/syriadata/releases/download/v{version}/"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ReleaseError(RuntimeError):
    """A past version could not be provided; the message says why and what to do."""


def archive_name(version: str) -> str:
    return f"syriadata-{version}.zip"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_release(out_dir: str | Path, *, root: str | Path | None = None) -> Path:
    """Write the release archive of the package at ``root`` into ``out_dir``; return its path."""
    pkg = read_package(root)
    prefix = f"syriadata-{pkg.version}"
    members = [("datapackage.json", (pkg.root / "datapackage.json").read_bytes())]
    members += [(res["path"], (pkg.root / res["path"]).read_bytes()) for res in pkg.descriptor["resources"]]
    members.sort()
    manifest = "".join(f"{_sha256(data)}  {name}\n" for name, data in members).encode()
    out = Path(out_dir) / archive_name(pkg.version)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data in [*members, ("SHA256SUMS", manifest)]:
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the building machine
            zf.writestr(info, data, compresslevel=9)
    tmp.replace(out)
    return out


def registry() -> dict:
    """Published versions: {version: {"file", "sha256", "bytes", "date"}} shipped with the package."""
    return json.loads(files("syriadata").joinpath("releases.json").read_text(encoding="utf-8"))


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


def _verified(folder: Path) -> bool:
    manifest = folder / "SHA256SUMS"
    if not manifest.is_file():
        return False
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        path = folder / name
        if not path.is_file() or _sha256(path.read_bytes()) != digest:
            return False
    return True


def unpack(archive: str | Path, dest: Path) -> Path:
    """Unpack a release archive into ``dest`` (atomically) and check its manifest."""
    archive = Path(archive)
    try:
        with atomic_dir(dest) as work, zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            prefix = names[0].split("/", 1)[0] + "/"
            for name in names:
                if not name.startswith(prefix) or ".." in name.split("/"):
                    raise ReleaseError(f"{archive.name}: unexpected member {name!r}")
                target = work / name[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(name))
            if not _verified(work):
                raise ReleaseError(f"{archive.name}: its files do not match its SHA256SUMS manifest")
    except zipfile.BadZipFile as err:
        raise ReleaseError(f"{archive.name} is not a readable zip archive ({err})") from None
    return dest


def local_archive(entry: dict) -> Path | None:
    """The published archive kept in a source checkout's ``releases/`` folder, if it matches the registry."""
    path = read_package().root / "releases" / entry["file"]
    if path.is_file() and _sha256(path.read_bytes()) == entry["sha256"]:
        return path
    return None


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
    if _verified(folder):
        return folder
    local = local_archive(entry)
    if local is not None:
        return _unpack_and_validate(local, folder, version)
    if offline:
        raise ReleaseError(f"syriadata {version} is not in the cache ({folder}) and offline=True forbids "
                           "downloading it; run once without offline=True")
    import pooch

    url = base_url(version) + entry["file"]
    try:
        path = pooch.retrieve(url, known_hash=f"sha256:{entry['sha256']}", fname=entry["file"],
                              path=cache_dir() / "archives", progressbar=False)
    except ValueError as err:  # pooch: hash mismatch; it has already removed the downloaded file
        bad = cache_dir() / "archives" / entry["file"]
        bad.unlink(missing_ok=True)
        raise ReleaseError(f"the download of {url} does not match the SHA-256 recorded for syriadata {version}; "
                           f"the bad file was deleted. Try again later or from another mirror "
                           f"(SYRIADATA_BASE_URL). Details: {err}") from None
    except Exception as err:  # network: requests' own exceptions, timeouts, HTTP errors
        raise ReleaseError(f"could not download syriadata {version} from {url} ({type(err).__name__}: {err}). "
                           "Check the connection, set SYRIADATA_BASE_URL to a mirror, or use the installed "
                           f"version {installed.version}.") from None
    return _unpack_and_validate(path, folder, version)


def _unpack_and_validate(archive, folder: Path, version: str) -> Path:
    root = unpack(archive, folder)
    from .validate import validate_package

    problems = validate_package(root)
    if problems:
        from .problems import format_problems

        raise ReleaseError(f"syriadata {version} does not validate against its own descriptor:\n"
                           + format_problems(problems, limit=20))
    return root
