"""Typed, validated loaders for every table of the data package.

``load(name)`` reads a table with :func:`syriadata.contract.tables.read_table` (the dtypes its Table
Schema declares, validated with a pandera schema derived from the same descriptor), caches it, and
reads past versions through :mod:`syriadata.releases.versions`. The named wrappers
(``load_control_events()`` ...) are generated from the descriptor's resource list.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .contract.descriptor import read_package
from .contract.problems import DataValidationError
from .contract.tables import read_table
from .errors import UsageError


_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3 or bool(getattr(pd.options.mode, "copy_on_write", False))


@lru_cache(maxsize=64)
def _load_cached(root: Path, name: str, mtime_ns: tuple) -> pd.DataFrame:
    pkg = read_package(root)
    frame, problems = read_table(pkg, name)
    if problems:
        raise DataValidationError(problems)
    return frame


def _root_for(root, version, offline):
    if version is None:
        return root
    if root is not None:
        raise UsageError("give either root= (a package folder) or version=, not both")
    from .releases.versions import release_root

    return release_root(version, offline=offline)


def load(name: str, *, root: str | Path | None = None, version: str | None = None,
         offline: bool = False) -> pd.DataFrame:
    """Load one table as a typed pandas DataFrame, validated against its schema.

    ``root`` is a data package folder; by default the one bundled with the library. ``version``
    loads a published release instead: the installed one from the package itself, another from
    the verified download cache (downloaded on first use unless ``offline=True``).
    Raises ``DataValidationError`` listing every problem if the table breaks its schema.
    """
    root = _root_for(root, version, offline)
    pkg = read_package(root)
    name = pkg.current_name(name)
    pkg.resource(name)  # friendly error for an unknown name
    path = pkg.path(name)
    # the cache is keyed on both files, so an edited CSV or descriptor is read again
    mtime = (path.stat().st_mtime_ns if path.exists() else 0, (pkg.root / "datapackage.json").stat().st_mtime_ns)
    # under copy-on-write (pandas 3) a shallow copy already keeps the cached frame safe from edits
    return _load_cached(pkg.root, name, mtime).copy(deep=not _COPY_ON_WRITE)


def load_all(*, root: str | Path | None = None, version: str | None = None,
             offline: bool = False) -> dict[str, pd.DataFrame]:
    """Every table of the package, by name."""
    root = _root_for(root, version, offline)
    return {name: load(name, root=root) for name in read_package(root).table_names}


def _make_loader(name: str, title: str, description: str):
    def loader(*, root: str | Path | None = None, version: str | None = None, offline: bool = False) -> pd.DataFrame:
        return load(name, root=root, version=version, offline=offline)

    loader.__name__ = f"load_{name}"
    loader.__qualname__ = loader.__name__
    loader.__doc__ = f"Load the ``{name}`` table ({title}): {description}\n\nSame as ``load({name!r})``."
    return loader


def _named_loaders() -> dict[str, Any]:
    pkg = read_package()
    return {f"load_{r['name']}": _make_loader(r["name"], r.get("title", r["name"]), r.get("description", ""))
            for r in pkg.descriptor["resources"]}


globals().update(_named_loaders())
