"""Write files and folders so that a failure, or a kill at any moment, never loses a user's files.

Output folders (``syriadata export`` and ``syriadata report``) are written by :func:`output_dir`:

* An output command never deletes anything it did not write. Each output folder holds a marker,
  :data:`MARKER`, naming the command that wrote it and every file it wrote. A folder may be
  replaced only if it is missing, empty, or a previous output of the same command holding
  exactly the files its marker lists; anything else raises :class:`~syriadata.errors.OutputError`.
  The current folder, its ancestors, the data package being read and its ``data/`` folder are
  refused outright.
* The new output is written completely in a hidden scratch folder beside ``out``
  (``.NAME.work-PID-XXXX``) and then swapped in. On Linux the swap is one atomic
  ``renameat2(RENAME_EXCHANGE)``, so ``out`` always holds either the complete old or the complete
  new output. Elsewhere it is two renames (old to ``.NAME.old-PID-XXXX``, new to ``out``); a kill
  between them leaves ``out`` missing, and the next run renames the old folder back first.
  Hidden folders left by a killed run (its process id no longer alive) are removed by the next run.
* Folders get mode ``0o777 & ~umask`` and files ``0o666 & ~umask``, as any other program would.

:func:`checkpoint` lets the tests kill the process (SIGKILL) at each step of a replacement.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from .errors import OutputError

MARKER = ".syriadata-output.json"
KILL_ENV = "SYRIADATA_KILL_AT"
_SHOWN = 5  # unexpected files named in an error message


def checkpoint(name: str) -> None:
    """Kill this process with SIGKILL if ``SYRIADATA_KILL_AT`` equals ``name`` (fault injection for tests).

    Called at each step of a folder replacement, so a test can prove that a kill at that moment
    loses nothing. One environment lookup when the variable is unset.
    """
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def current_umask() -> int:
    """The process's umask (it can only be read by setting it, so it is set back at once)."""
    old = os.umask(0)
    os.umask(old)
    return old


def apply_umask(top: Path, umask: int | None = None) -> None:
    """Give ``top`` and everything under it the modes a fresh folder/file would get under the umask.

    ``mkdtemp`` creates 0700 folders, ``mkstemp`` 0600 files, and ``shutil.copy`` copies the source's
    mode; the user's umask should decide instead.
    """
    umask = current_umask() if umask is None else umask
    dir_mode, file_mode = 0o777 & ~umask, 0o666 & ~umask
    os.chmod(top, dir_mode)
    for folder, dirs, names in os.walk(top):
        for d in dirs:
            path = os.path.join(folder, d)
            if not os.path.islink(path):
                os.chmod(path, dir_mode)
        for n in names:
            path = os.path.join(folder, n)
            if not os.path.islink(path):
                os.chmod(path, file_mode)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename; temp file removed on failure.

    The file keeps the mode it had, or gets ``0o666 & ~umask`` if it is new (not mkstemp's 0600).
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------------------
# the atomic exchange of two folders

AT_FDCWD = -100  # Linux: "relative to the current directory"; both paths given here are absolute
RENAME_EXCHANGE = 2


@lru_cache(maxsize=1)
def _renameat2():
    """libc's ``renameat2`` function, or None where there is none (other OS, glibc < 2.28).

    Why ctypes: neither Python's ``os`` module nor any standard library call exposes
    ``renameat2(RENAME_EXCHANGE)``, the only way to swap two folders atomically; ``os.replace``
    cannot replace a non-empty folder.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap the folders ``a`` and ``b``; False if this system or filesystem cannot."""
    func = _renameat2()
    if func is None:
        return False
    if func(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False  # the kernel or the filesystem does not support the flag
    raise OSError(err, os.strerror(err), str(a), str(b))


# ---------------------------------------------------------------------------------------------
# markers, hidden helper folders and what may be replaced


def read_marker(folder: Path) -> dict | None:
    """The marker of an output folder (``{"command", "files"}``), or None if it has none or it is unreadable."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("command"), str) \
            or not isinstance(data.get("files"), list) or not all(isinstance(f, str) for f in data["files"]):
        return None
    return data


def _write_marker(folder: Path, command: str) -> list[str]:
    """Record in ``folder`` the command and every file written (sorted, so the same output gives the same bytes)."""
    files = sorted(_entries(folder)[0] - {MARKER})
    data = {"written_by": f"syriadata {command}", "command": command, "files": files}
    (folder / MARKER).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return files


def _entries(folder: Path) -> tuple[set[str], set[str]]:
    """Relative POSIX paths of the files and of the other entries (folders, links...) under ``folder``."""
    files, others = set(), set()
    for top, dirs, names in os.walk(folder):
        rel_top = Path(top).relative_to(folder)
        others.update((rel_top / d).as_posix() for d in dirs)  # os.walk does not enter linked folders
        for n in names:
            path = Path(top) / n
            rel = (rel_top / n).as_posix()
            (files if path.is_file() and not path.is_symlink() else others).add(rel)
    return files, others


def _unexpected(folder: Path, command: str) -> list[str] | None:
    """Entries of ``folder`` that a previous ``command`` output would not hold (None: no usable marker)."""
    marker = read_marker(folder)
    if marker is None or marker["command"] != command:
        return None
    listed = set(marker["files"])
    files, others = _entries(folder)
    parents = {p.as_posix() for f in listed for p in Path(f).parents if p.as_posix() != "."}
    bad = sorted((files - listed - {MARKER}) | {o for o in others if o not in parents or (folder / o).is_symlink()})
    return bad


def _helper_re(name: str) -> re.Pattern:
    return re.compile(rf"^\.{re.escape(name)}\.(work|old)-(\d+)-[A-Za-z0-9_]+$")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (only asked on POSIX, where signal 0 is a harmless probe)."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # cannot tell safely; keep its folder
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _helpers(out: Path) -> list[tuple[str, int, Path]]:
    """Hidden scratch and old folders beside ``out``: (kind, process id, path)."""
    pattern = _helper_re(out.name)
    found = []
    try:
        names = os.listdir(out.parent)
    except FileNotFoundError:
        return []
    for n in sorted(names):
        m = pattern.match(n)
        path = out.parent / n
        if m and path.is_dir() and not path.is_symlink():
            found.append((m.group(1), int(m.group(2)), path))
    return found


def recover(out: Path) -> None:
    """Undo what a killed run left beside ``out``.

    If ``out`` is missing but an old output (``.NAME.old-*``, with a valid marker) of a dead process
    lies beside it, the kill came between the two renames of the fallback: rename it back. Then
    remove the hidden folders of dead processes (unfinished scratch folders, old outputs).
    """
    out = Path(out)
    stale = [(kind, path) for kind, pid, path in _helpers(out) if not _alive(pid)]
    if not os.path.lexists(out):
        olds = [path for kind, path in stale if kind == "old" and read_marker(path) is not None]
        if olds:
            newest = max(olds, key=lambda p: p.stat().st_mtime_ns)
            os.rename(newest, out)
            stale = [(k, p) for k, p in stale if p != newest]
    for _, path in stale:
        shutil.rmtree(path, ignore_errors=True)


def _refuse(out: Path, why: str) -> OutputError:
    return OutputError(f"cannot write the output into {out}: {why}. Nothing was changed. "
                       "Choose a new or empty folder elsewhere.")


def check_target(out: Path, command: str, *, package_root: Path | None = None) -> None:
    """Raise OutputError unless ``out`` may be (re)written by ``command`` without touching anyone else's files.

    ``out`` and ``package_root`` must be resolved. Refused: the current folder or one of its
    ancestors; the package folder being read or a folder containing it; anything inside its
    ``data/``; a file; a non-empty folder that is not a previous output of ``command`` holding
    exactly the files its marker lists.
    """
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        raise _refuse(out, "it is the current folder or contains it, and an output replaces its whole folder")
    if package_root is not None:
        if out == package_root or out in package_root.parents:
            raise _refuse(out, f"it is or contains the data package being read ({package_root})")
        data = package_root / "data"
        if out == data or data in out.parents:
            raise _refuse(out, f"it lies inside the data package's data folder ({data})")
    if not os.path.lexists(out):
        return
    if out.is_symlink() or not out.is_dir():
        raise _refuse(out, "it exists and is not a folder")
    if not any(out.iterdir()):
        return
    bad = _unexpected(out, command)
    if bad == []:
        return
    marker = read_marker(out)
    if marker is None:
        files, others = _entries(out)
        first = sorted(files | others)
        why = f"it is not empty and was not written by `syriadata {command}` (no {MARKER} marker)"
    elif marker["command"] != command:
        first = []
        why = f"it holds the output of `syriadata {marker['command']}`, not of `syriadata {command}`"
    else:
        first = bad
        why = f"it holds files that `syriadata {command}` did not write"
    shown = ", ".join(first[:_SHOWN]) + (f" and {len(first) - _SHOWN} more" if len(first) > _SHOWN else "")
    raise OutputError(f"cannot write the output of `syriadata {command}` into {out}: {why}"
                      + (f" ({shown})" if shown else "")
                      + ". Nothing was changed. Choose a new or empty folder, or remove those files yourself.")


def _replace(work: Path, out: Path) -> None:
    """Put the complete folder ``work`` in place of ``out``; a kill at any step loses neither."""
    checkpoint("before-exchange")
    if not os.path.lexists(out):
        os.rename(work, out)
        checkpoint("after-exchange")
        return
    if _exchange(work, out):
        checkpoint("after-exchange")  # ``work`` now holds the old output
        checkpoint("before-cleanup")
        shutil.rmtree(work)
        return
    # fallback: two renames; the next run's ``recover`` repairs a kill between them
    old = out.with_name(f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
    os.rename(out, old)
    checkpoint("between-renames")
    try:
        os.rename(work, out)
    except BaseException:
        os.rename(old, out)
        raise
    checkpoint("after-exchange")
    checkpoint("before-cleanup")
    shutil.rmtree(old)


@contextmanager
def output_dir(out: str | Path, command: str, *, package_root: str | Path | None = None):
    """Yield a hidden scratch folder beside ``out``; on success it replaces ``out`` atomically.

    Checks first (see :func:`check_target`) and raises OutputError before anything is written. On
    failure the scratch folder is removed and ``out`` is untouched.
    """
    out = Path(os.path.abspath(out))
    out = out.parent.resolve() / out.name if out.name else out.resolve()  # a link named ``out`` stays a link
    package = Path(package_root).resolve() if package_root is not None else None
    check_target(out, command, package_root=package)  # the path checks need no file system changes
    recover(out)
    check_target(out, command, package_root=package)
    out.parent.mkdir(parents=True, exist_ok=True)
    umask = current_umask()
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.work-{os.getpid()}-", dir=out.parent))
    try:
        yield work
        _write_marker(work, command)
        apply_umask(work, umask)
        checkpoint("written")
        _replace(work, out)
        checkpoint("done")
    finally:
        if os.path.lexists(work):
            shutil.rmtree(work, ignore_errors=True)
