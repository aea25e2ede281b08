"""What changed between two versions of the data package, and the smallest version bump it needs.

Policy (docs/versioning.md, after the Frictionless data-package versioning recipe): MAJOR for a
removed or renamed table or field, a changed type or primary key, a tightened constraint, or
removed rows of an entity table; MINOR for added tables, fields or rows, or loosened constraints;
PATCH for corrected values, removed rows of a link table (e.g. a wrong event-source link), and
descriptive metadata.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

LEVELS = ["none", "patch", "minor", "major"]


@dataclass
class TableDiff:
    name: str
    link_table: bool = False  # every primary-key field is a foreign key: rows are links, not entities
    added: list = field(default_factory=list)     # primary keys
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)   # (key, column, old, new)


@dataclass
class PackageDiff:
    old_version: str
    new_version: str
    schema: list = field(default_factory=list)    # (level, message)
    tables: dict = field(default_factory=dict)

    @property
    def required(self) -> str:
        """The smallest bump (none / patch / minor / major) the changes require."""
        level = max((LEVELS.index(lvl) for lvl, _ in self.schema), default=0)
        for t in self.tables.values():
            if t.removed:  # removing an entity breaks citations of it; removing a wrong link corrects it
                level = max(level, 1 if t.link_table else 3)
            if t.added:
                level = max(level, 2)
            if t.changed:
                level = max(level, 1)
        return LEVELS[level]

    @property
    def actual(self) -> str:
        """The bump between the two version numbers."""
        old, new = (tuple(map(int, v.split("."))) for v in (self.old_version, self.new_version))
        if new[0] > old[0]:
            return "major"
        if new[:2] > old[:2]:
            return "minor"
        if new > old:
            return "patch"
        return "none"

    def is_enough(self) -> bool:
        return LEVELS.index(self.actual) >= LEVELS.index(self.required)


def _constraint_changes(table: str, old: dict, new: dict) -> list:
    out = []
    name = f"{table}.{new['name']}"
    oc, nc = old.get("constraints", {}), new.get("constraints", {})
    if old["type"] != new["type"]:
        out.append(("major", f"{name}: type {old['type']} -> {new['type']}"))
    if not oc.get("required") and nc.get("required"):
        out.append(("major", f"{name}: now required"))
    if oc.get("required") and not nc.get("required"):
        out.append(("minor", f"{name}: no longer required"))
    if not oc.get("unique") and nc.get("unique"):
        out.append(("major", f"{name}: now unique"))
    if "enum" in oc or "enum" in nc:
        o, n = set(oc.get("enum", [])), set(nc.get("enum", []))
        if "enum" not in oc or (o - n):
            out.append(("major", f"{name}: values no longer allowed: {sorted(o - n) or 'closed vocabulary added'}"))
        elif n - o:
            out.append(("minor", f"{name}: new allowed values {sorted(n - o)}"))
    for key, tighter in (("minimum", lambda a, b: b > a), ("maximum", lambda a, b: b < a)):
        o, n = oc.get(key), nc.get(key)
        if o != n:
            level = "major" if n is not None and (o is None or tighter(o, n)) else "minor"
            out.append((level, f"{name}: {key} {o} -> {n}"))
    if oc.get("pattern") != nc.get("pattern"):
        level = "minor" if "pattern" not in nc else "major"
        out.append((level, f"{name}: pattern {oc.get('pattern')!r} -> {nc.get('pattern')!r}"))
    if old.get("description") != new.get("description") or old.get("title") != new.get("title"):
        out.append(("patch", f"{name}: description changed"))
    return out


def schema_changes(old, new) -> list:
    """Descriptor-level changes between two ``Package`` objects, with the level each requires."""
    out = []
    old_names, new_names = set(old.table_names), set(new.table_names)
    out += [("major", f"table removed: {n}") for n in sorted(old_names - new_names)]
    out += [("minor", f"table added: {n}") for n in sorted(new_names - old_names)]
    for name in sorted(old_names & new_names):
        of = {f["name"]: f for f in old.fields(name)}
        nf = {f["name"]: f for f in new.fields(name)}
        out += [("major", f"{name}.{f}: field removed or renamed") for f in of if f not in nf]
        out += [("minor", f"{name}.{f}: field added") for f in nf if f not in of]
        if [f for f in of if f in nf] != [f for f in nf if f in of]:
            out.append(("major", f"{name}: fields re-ordered"))
        for f in of.keys() & nf.keys():
            out += _constraint_changes(name, of[f], nf[f])
        if old.primary_key(name) != new.primary_key(name):
            out.append(("major", f"{name}: primary key {old.primary_key(name)} -> {new.primary_key(name)}"))
    return out


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype("string").fillna("")


def table_diff(name: str, old: pd.DataFrame, new: pd.DataFrame, key: list[str]) -> TableDiff:
    """Rows added, removed and changed (field by field) between two versions of one table."""
    o, n = _as_text(old).set_index(key), _as_text(new).set_index(key)
    out = TableDiff(name, added=sorted(n.index.difference(o.index)), removed=sorted(o.index.difference(n.index)))
    common = o.index.intersection(n.index)
    cols = [c for c in o.columns if c in n.columns]
    a, b = o.loc[common, cols], n.loc[common, cols]
    diff = a.ne(b)
    for k, row in diff[diff.any(axis=1)].iterrows():
        for col in row.index[row.to_numpy()]:
            out.changed.append((k, col, a.at[k, col], b.at[k, col]))
    out.changed.sort(key=lambda c: (str(c[0]), c[1]))
    return out


def diff_packages(old_root, new_root) -> PackageDiff:
    """Compare two data package folders."""
    from ..contract.descriptor import read_package
    from ..contract.tables import read_table

    old, new = read_package(old_root), read_package(new_root)
    result = PackageDiff(old.version, new.version, schema=schema_changes(old, new))
    for name in sorted(set(old.table_names) & set(new.table_names)):
        key = new.primary_key(name)
        if key != old.primary_key(name):
            continue
        result.tables[name] = table_diff(name, read_table(old, name)[0], read_table(new, name)[0], key)
        fk_fields = {f for fk in new.foreign_keys(name) for f in fk["fields"]}
        result.tables[name].link_table = bool(key) and set(key) <= fk_fields
    return result


def resolve(spec: str, tmp: Path) -> Path:
    """A package folder for a folder, a release archive, or a version number."""
    path = Path(spec)
    if path.is_dir():
        return path
    if path.is_file() and path.suffix == ".zip":
        from .archives import unpack

        return unpack(path, tmp / path.stem)
    from .versions import release_root

    return release_root(spec)


def _around_change(old: str, new: str, width: int = 70) -> tuple[str, str]:
    """Both values cut to the part where they differ, so a long note's edit stays visible."""
    if len(old) <= width and len(new) <= width:
        return old, new
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    start = max(0, start - 15)
    cut = lambda v: ("..." if start else "") + v[start:start + width] + ("..." if len(v) > start + width else "")  # noqa: E731
    return cut(old), cut(new)


def _key(k) -> str:
    return "/".join(map(str, k)) if isinstance(k, tuple) else str(k)


def format_diff(d: PackageDiff, *, limit: int = 50, markdown: bool = False) -> str:
    """A readable report (plain text or Markdown)."""
    b = "- " if markdown else "  "
    lines = [f"{'## ' if markdown else ''}syriadata {d.old_version} -> {d.new_version}", ""]
    lines.append(f"Required bump: {d.required}; actual bump: {d.actual}"
                 + ("" if d.is_enough() else "  (NOT ENOUGH: raise the version in datapackage.json)"))
    lines.append("")
    if d.schema:
        lines.append("Schema changes:")
        lines += [f"{b}[{lvl}] {msg}" for lvl, msg in d.schema]
        lines.append("")
    for name, t in d.tables.items():
        if not (t.added or t.removed or t.changed):
            continue
        lines.append(f"{name}: {len(t.added)} added, {len(t.removed)} removed, {len(t.changed)} value(s) changed")
        lines += [f"{b}+ {_key(k)}" for k in t.added[:limit]]
        lines += [f"{b}- {_key(k)}" for k in t.removed[:limit]]
        for k, col, old, new in t.changed[:limit]:
            a, z = _around_change(old, new)
            lines.append(f"{b}~ {_key(k)}.{col}: {a!r} -> {z!r}")
        hidden = max(0, len(t.added) - limit) + max(0, len(t.removed) - limit) + max(0, len(t.changed) - limit)
        if hidden:
            lines.append(f"{b}... {hidden} more")
    if not any(t.added or t.removed or t.changed for t in d.tables.values()) and not d.schema:
        lines.append("No changes.")
    return "\n".join(lines).rstrip() + "\n"
