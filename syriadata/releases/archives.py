"""Release archives: byte-reproducible builds and safe unpacking.

``build_release`` writes ``syriadata-<version>.zip``: the descriptor, the CSV files and a SHA-256
manifest (``SHA256SUMS``), with fixed timestamps, permissions and order, so the same commit gives
the same bytes. It writes only that one file (a temporary file renamed into place). ``unpack``
refuses members that leave the folder, links, too many members and too many bytes.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .._atomic import apply_umask, current_umask
from ..contract.descriptor import read_package
from ..errors import OutputError, ReleaseError

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_MEMBERS = 1000  # a release has a few dozen files
MAX_UNPACKED_BYTES = 1 << 30  # 1 GiB: far above any release, far below a zip bomb
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
