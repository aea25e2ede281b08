"""Release archives and past versions.

``build_release`` writes ``syriadata-<version>.zip``: the descriptor, the CSV files and a SHA-256
manifest (``SHA256SUMS``), with fixed timestamps, permissions and order, so the same commit gives
the same bytes. It writes only that one file (a temporary file renamed into place).

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

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import urllib.parse
import urllib.request
import zipfile
import zlib
from importlib.resources import files
from pathlib import Path, PurePosixPath

from ._atomic import _alive, apply_umask, current_umask
from .descriptor import read_package
from .errors import OutputError, ReleaseError

DEFAULT_BASE_URL = "https://github.com/syriadata/syriadata/releases/download/v{version}/"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_MEMBERS = 1000  # a release has a few dozen files
MAX_UNPACKED_BYTES = 1 << 30  # 1 GiB: far above any release, far below a zip bomb
SCHEMES = ("http", "https", "file")
_CHUNK = 1 << 16


def archive_name(version: str) -> str:
    return f"syriadata-{version}.zip"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# building


def build_release(out_dir: str | Path, *, root: str | Path | None = None) -> Path:
    """Write the release archive of the package at ``root`` into ``out_dir``; return its path.

    Only ``out_dir/syriadata-<version>.zip`` is written (through a temporary file that is renamed
    into place, and removed on failure); its mode follows the umask. Raises OutputError if that
    name is taken by a folder or anything else that is not a regular file.
    """
    pkg = read_package(root)
    prefix = f"syriadata-{pkg.version}"
    members = [("datapackage.json", (pkg.root / "datapackage.json").read_bytes())]
    members += [(res["path"], pkg.path(res["name"]).read_bytes()) for res in pkg.descriptor["resources"]]
    members.sort()
    manifest = "".join(f"{_sha256(data)}  {name}\n" for name, data in members).encode()
    out = Path(out_dir) / archive_name(pkg.version)
    if os.path.lexists(out) and not out.is_file():
        raise OutputError(f"cannot write the release archive {out}: that name is taken by a folder or another "
                          "non-file; move it away or choose another --out folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w") as zf:
            for name, data in [*members, ("SHA256SUMS", manifest)]:
                info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3  # unix, whatever the building machine
                zf.writestr(info, data, compresslevel=9)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def registry() -> dict:
    """Published versions: {version: {"file", "sha256", "manifest_sha256", "bytes", "date"}}."""
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


# ---------------------------------------------------------------------------------------------
# checking an unpacked folder


def _problem(folder: Path, manifest_sha256: str | None = None) -> str | None:
    """Why ``folder`` is not an intact release (None if it is).

    Every file listed in ``SHA256SUMS`` must exist and match; with ``manifest_sha256`` (from the
    registry) the manifest itself must match too, so editing a file and its line is noticed.
    """
    manifest = Path(folder) / "SHA256SUMS"
    if not manifest.is_file():
        return "SHA256SUMS is missing"
    data = manifest.read_bytes()
    if manifest_sha256 is not None and _sha256(data) != manifest_sha256:
        return "SHA256SUMS differs from the one published"
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return "SHA256SUMS is not text"
    for line in lines:
        digest, sep, name = line.partition("  ")
        if not sep or not _safe_relative(name):
            return f"SHA256SUMS has a malformed line {line!r}"
        path = Path(folder, *name.split("/"))
        if not path.is_file() or path.is_symlink():
            return f"{name} is missing"
        if _file_sha256(path) != digest:
            return f"{name} differs from its SHA256SUMS line"
    return None


def _verified(folder: Path, manifest_sha256: str | None = None) -> bool:
    """Whether ``folder`` is an intact release (see :func:`_problem`)."""
    return _problem(folder, manifest_sha256) is None


def _safe_relative(name: str) -> bool:
    """A relative POSIX path that stays inside its folder: no leading /, drive, backslash, '.' or '..' parts."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


# ---------------------------------------------------------------------------------------------
# unpacking


def _member_path(archive: Path, info: zipfile.ZipInfo, prefix: str) -> PurePosixPath | None:
    """The path of ``info`` inside the release folder (None for the top folder itself); refuses unsafe members."""
    name = info.filename
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise ReleaseError(f"{archive.name}: member {name!r} is a symbolic link; release archives hold only "
                           "files and folders. Use the published archive.")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise ReleaseError(f"{archive.name}: member {name!r} is a special file; release archives hold only "
                           "files and folders. Use the published archive.")
    if not _safe_relative(name.rstrip("/")) or not name.startswith(prefix):
        raise ReleaseError(f"{archive.name}: unexpected member {name!r} (members must lie inside the archive's "
                           f"top folder {prefix!r}: no absolute paths, drive letters, backslashes or '..'). "
                           "Use the published archive.")
    rel = name[len(prefix):].rstrip("/")
    return PurePosixPath(rel) if rel else None


def _check_sizes(archive: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse archives with more members or more declared bytes than any release could have."""
    if len(infos) > MAX_MEMBERS:
        raise ReleaseError(f"{archive.name} has {len(infos)} members, more than the limit of {MAX_MEMBERS}; "
                           "it is not a syriadata release")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise ReleaseError(f"{archive.name} would unpack to {total} bytes, more than the limit of "
                           f"{MAX_UNPACKED_BYTES} bytes (1 GiB); it is not a syriadata release")


def _extract(archive: Path, work: Path) -> None:
    """Extract the release ``archive`` into the empty folder ``work`` (members under its top folder).

    Directory entries become folders. Sizes are counted while extracting too, since a zip's
    headers can lie.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if not infos:
                raise ReleaseError(f"{archive.name} is an empty zip archive; use the published archive")
            _check_sizes(archive, infos)
            top = infos[0].filename.split("/", 1)[0]
            prefix = top + "/"
            written, seen = 0, set()
            for info in infos:
                rel = _member_path(archive, info, prefix)
                if rel is None:
                    continue
                if rel in seen:
                    raise ReleaseError(f"{archive.name}: member {info.filename!r} appears twice")
                seen.add(rel)
                target = work.joinpath(*rel.parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "xb") as dst:
                    while chunk := src.read(_CHUNK):
                        written += len(chunk)
                        if written > MAX_UNPACKED_BYTES:
                            raise ReleaseError(f"{archive.name} unpacks to more than the limit of "
                                               f"{MAX_UNPACKED_BYTES} bytes (1 GiB); it is not a syriadata release")
                        dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:
        raise ReleaseError(f"{archive.name} is not a readable zip archive ({err})") from None
    except (FileExistsError, NotADirectoryError, IsADirectoryError) as err:
        raise ReleaseError(f"{archive.name}: members conflict (a file and a folder of the same name: "
                           f"{err.filename})") from None


def _scratch_beside(target: Path, kind: str) -> Path:
    """A new hidden folder beside ``target`` named after this process, so others can tell it is in use."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.{kind}-{os.getpid()}-", dir=target.parent))


def _publish(work: Path, dest: Path, manifest_sha256: str, what: str) -> None:
    """Rename the checked folder ``work`` to ``dest``; if ``dest`` appeared meanwhile, it must be the same release."""
    try:
        os.rename(work, dest)
        return
    except OSError as err:
        if err.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise
    reason = _problem(dest, manifest_sha256)
    if reason is not None:
        raise ReleaseError(f"cannot unpack {what} into {dest}: that folder already exists and is not the same "
                           f"release ({reason}); unpack into a new or empty folder")


def _unpacked(archive: Path, dest: Path, manifest_sha256: str | None, what: str) -> Path:
    """Extract, check and publish ``archive`` at ``dest`` through a scratch folder (removed in any case)."""
    work = _scratch_beside(dest, "unpack")
    try:
        _extract(archive, work)
        reason = _problem(work, manifest_sha256)
        if reason is not None:
            raise ReleaseError(f"{archive.name}: its files do not match its SHA256SUMS manifest ({reason})")
        apply_umask(work)
        _publish(work, dest, manifest_sha256 or _file_sha256(work / "SHA256SUMS"), what)
    finally:
        if os.path.lexists(work):
            shutil.rmtree(work, ignore_errors=True)
    return dest


def unpack(archive: str | Path, dest: Path) -> Path:
    """Unpack a release archive into ``dest`` (all or nothing) and check its manifest; return ``dest``.

    ``dest`` must be missing or empty, or already hold the same release (then it is used as is).
    Refuses unsafe members (paths leaving the folder, links), more than :data:`MAX_MEMBERS`
    members and more than :data:`MAX_UNPACKED_BYTES` bytes, with ReleaseError.
    """
    archive, dest = Path(archive), Path(dest)
    return _unpacked(archive, dest, None, archive.name)


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
        from .validate import validate_package

        problems = validate_package(work)
        if problems:
            from .problems import format_problems

            raise ReleaseError(f"syriadata {version} does not validate against its own descriptor:\n"
                               + format_problems(problems, limit=20))
        apply_umask(work)
        _publish(work, folder, entry["manifest_sha256"], f"syriadata {version}")
    finally:
        if os.path.lexists(work):
            shutil.rmtree(work, ignore_errors=True)
    return folder
