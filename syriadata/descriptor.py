"""Read ``datapackage.json``: the single contract every schema, dtype and document derives from."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ._files import DESCRIPTOR, resolve_root


class UnknownTableError(KeyError):
    """Raised for a table name that the descriptor does not define."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


@dataclass(frozen=True)
class Package:
    """A parsed descriptor together with the folder it lives in."""

    root: Path
    descriptor: dict[str, Any]

    @property
    def version(self) -> str:
        return self.descriptor["version"]

    @property
    def table_names(self) -> list[str]:
        return [r["name"] for r in self.descriptor["resources"]]

    def resource(self, name: str) -> dict[str, Any]:
        for res in self.descriptor["resources"]:
            if res["name"] == name:
                return res
        raise UnknownTableError(
            f"{name!r} is not a table of this data package; choose from: {', '.join(self.table_names)}"
        )

    def fields(self, name: str) -> list[dict[str, Any]]:
        return self.resource(name)["schema"]["fields"]

    def primary_key(self, name: str) -> list[str]:
        pk = self.resource(name)["schema"].get("primaryKey", [])
        return [pk] if isinstance(pk, str) else list(pk)

    def foreign_keys(self, name: str) -> list[dict[str, Any]]:
        """Foreign keys with ``fields`` and ``reference.fields`` always as lists (the spec allows a string)."""
        as_list = lambda v: [v] if isinstance(v, str) else list(v)  # noqa: E731
        return [{"fields": as_list(fk["fields"]),
                 "reference": {**fk["reference"], "fields": as_list(fk["reference"]["fields"])}}
                for fk in self.resource(name)["schema"].get("foreignKeys", [])]

    def path(self, name: str) -> Path:
        return self.root / self.resource(name)["path"]


@lru_cache(maxsize=16)
def _read(root: Path, mtime_ns: int) -> dict[str, Any]:
    with open(root / DESCRIPTOR, encoding="utf-8") as fh:
        return json.load(fh)


def read_package(root: str | Path | None = None) -> Package:
    """Parse the descriptor of ``root`` (default: the bundled package)."""
    path = resolve_root(root).resolve()
    return Package(path, _read(path, (path / DESCRIPTOR).stat().st_mtime_ns))
