"""syriadata: who controlled what in Syria, and when.

Tables come from the bundled Frictionless data package (``datapackage.json``) as typed, validated
pandas DataFrames. Attributes are imported on first use so that ``import syriadata`` stays cheap.
"""
from __future__ import annotations

import importlib

_LAZY = {
    "load": "loaders", "load_all": "loaders",
    "validate_package": "contract.validate", "read_package": "contract.descriptor",
    "DataValidationError": "contract.problems", "Problem": "contract.problems",
    "control_at": "engine.control", "timeline": "engine.control", "crossing_status_at": "engine.control",
    "panel": "engine.vectorised", "annotate": "engine.vectorised",
    "Study": "analysis.study", "load_study": "analysis.study",
    "SyriadataError": "errors",
}


def _table_loader_names() -> list[str]:
    from .contract.descriptor import read_package

    return [f"load_{name}" for name in read_package().table_names]


def __getattr__(name: str):
    if name == "__version__":
        from .contract.descriptor import read_package

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
