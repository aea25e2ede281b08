"""syriadata: who controlled what in Syria, and when.

Tables come from the bundled Frictionless data package (``datapackage.json``) as typed, validated
pandas DataFrames. Attributes are imported on first use so that ``import syriadata`` stays cheap.
"""
from __future__ import annotations

import importlib

_LAZY = {
    "load": "loaders", "load_all": "loaders",
    "validate_package": "validate", "read_package": "descriptor",
    "DataValidationError": "problems", "Problem": "problems",
    "control_at": "control", "timeline": "control", "crossing_status_at": "control",
    "panel": "engine", "annotate": "engine",
}


def _table_loader_names() -> list[str]:
    from .descriptor import read_package

    return [f"load_{name}" for name in read_package().table_names]


def __getattr__(name: str):
    if name == "__version__":
        from .descriptor import read_package

        return read_package().version
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name.startswith("load_"):
        loaders = importlib.import_module(".loaders", __name__)
        if hasattr(loaders, name):
            return getattr(loaders, name)
    raise AttributeError(f"module 'syriadata' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY) + ["__version__"] + _table_loader_names())
