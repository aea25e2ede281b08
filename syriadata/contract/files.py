"""Locate the bundled data package.

A wheel carries ``datapackage.json`` and ``data/`` inside ``syriadata/package_data`` (hatchling
``force-include``). An editable install or a source checkout does not, so we fall back to the
repository root that holds this package.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from ..errors import PackageError

DESCRIPTOR = "datapackage.json"


def bundled_root() -> Path:
    """Return the folder holding the installed package's ``datapackage.json``."""
    wheel_copy = files("syriadata").joinpath("package_data")
    if wheel_copy.joinpath(DESCRIPTOR).is_file():
        return Path(str(wheel_copy))
    source_tree = Path(__file__).resolve().parents[2]  # syriadata/contract/files.py -> the checkout
    if (source_tree / DESCRIPTOR).is_file():
        return source_tree
    raise PackageError(
        "syriadata's bundled data package is missing: neither syriadata/package_data/"
        f"{DESCRIPTOR} (wheel) nor {source_tree / DESCRIPTOR} (source tree) exists. Reinstall the package."
    )


def resolve_root(root: str | Path | None) -> Path:
    """A user-supplied package folder (or descriptor path), or the bundled one."""
    if root is None:
        return bundled_root()
    path = Path(root)
    if path.name == DESCRIPTOR and not path.is_dir():
        path = path.parent
    if not path.is_dir():
        raise PackageError(f"{path}: no such folder; point at a data package folder (one holding {DESCRIPTOR})")
    if not (path / DESCRIPTOR).is_file():
        raise PackageError(f"{path}: no {DESCRIPTOR} here; point at a data package folder")
    return path
