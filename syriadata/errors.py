"""The package's own errors: one base class, so callers (and the command line) can tell a user's
problem from a bug.

``SyriadataError`` is raised for everything a user can fix (bad data, a bad package folder, an
unknown table, a version that cannot be had, a missing optional extra, an output folder that
cannot be used). Any other exception escaping the library is a bug and keeps its traceback.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterable


class SyriadataError(Exception):
    """Base class of every error the package raises on purpose."""


class PackageError(SyriadataError):
    """A data package folder or descriptor cannot be used (missing, unreadable, unsafe paths).

    ``problems`` lists what was found, in the same form ``validate`` reports, so that
    ``syriadata validate`` can print them with file, row, column, value and rule.
    """

    def __init__(self, message: str, problems: Iterable = ()):
        self.problems = list(problems)
        super().__init__(message)


class UnknownTableError(SyriadataError, KeyError):
    """A table name that the descriptor does not define."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class OutputError(SyriadataError):
    """An output folder that cannot be written without risking files the program did not write."""


class ReleaseError(SyriadataError):
    """A past version could not be provided; the message says why and what to do."""


class UsageError(SyriadataError, ValueError):
    """A function was called with an argument it cannot use (a bad format name, date or option)."""


class MissingDependencyError(SyriadataError, ImportError):
    """An optional library is not installed; the message names the extra that brings it."""


def require(module: str, extra: str, caller: str):
    """Import ``module`` or raise ``MissingDependencyError`` naming ``extra`` and ``caller``.

    Parameters
    ----------
    module : the module to import, e.g. ``"statsmodels.api"``.
    extra : the optional extra of syriadata that installs it, e.g. ``"analysis"``.
    caller : what needs it, for the message, e.g. ``"syriadata.analysis.rates"``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingDependencyError(
            f"{caller} needs {module.split('.')[0]}, which is not installed; "
            f'install it with: pip install "syriadata[{extra}]"') from err
