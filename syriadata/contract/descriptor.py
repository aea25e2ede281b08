"""Read ``datapackage.json``: the single contract every schema, dtype and document derives from.

The descriptor is checked before any data file is touched: it must be valid JSON, every resource
needs a name, a schema with fields of a type the package supports, and a ``path`` that stays
inside the package folder (no absolute paths, no ``..``, no URLs, no symlink that resolves
elsewhere; the Frictionless specification forbids the first two for the same reason). A bad
descriptor raises :class:`~syriadata.errors.PackageError` carrying the problems, which
``validate`` reports like any other.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from .files import DESCRIPTOR, resolve_root
from ..errors import PackageError, UnknownTableError
from .problems import Problem

#: Table Schema field types the loaders can convert (see ``schema.dtype_for``).
SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date")


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
        renamed = self.descriptor.get("x-renamed", {}).get(name)
        if renamed:  # an old name, readable for one major version (``load`` warns)
            return self.resource(renamed)
        raise UnknownTableError(
            f"{name!r} is not a table of this data package; choose from: {', '.join(self.table_names)}"
        )

    def current_name(self, name: str) -> str:
        """``name``, or the table's new name if ``name`` is an old one (with a DeprecationWarning)."""
        renamed = self.descriptor.get("x-renamed", {}).get(name)
        if renamed and name not in self.table_names:
            import warnings

            warnings.warn(f"table {name!r} is now called {renamed!r}; the old name goes in the next major version",
                          DeprecationWarning, stacklevel=3)
            return renamed
        return name

    def fields(self, name: str) -> list[dict[str, Any]]:
        return self.resource(name)["schema"]["fields"]

    def primary_key(self, name: str) -> list[str]:
        pk = self.resource(name)["schema"].get("primaryKey", [])
        return [pk] if isinstance(pk, str) else list(pk)

    def foreign_keys(self, name: str) -> list[dict[str, Any]]:
        """Foreign keys with ``fields`` and ``reference.fields`` always as lists (the spec allows a string)."""
        return [{"fields": _as_list(fk["fields"]),
                 "reference": {**fk["reference"], "fields": _as_list(fk["reference"]["fields"])}}
                for fk in self.resource(name)["schema"].get("foreignKeys", [])]

    def path(self, name: str) -> Path:
        """The file of table ``name``; its path was checked to stay inside the package when it was read."""
        return self.root / self.resource(name)["path"]


def _as_list(value) -> list:
    return [value] if isinstance(value, str) else list(value)


def _problem(where: str, value, rule: str, message: str, row: int | None = None) -> Problem:
    return Problem(DESCRIPTOR, row, where, None if value is None else str(value), rule, message)


def path_problem(root: Path, path) -> str | None:
    """Why ``path`` (a resource path of the package at ``root``) is unsafe, or None if it is safe."""
    if not isinstance(path, str) or not path:
        return "must be a relative path inside the package folder, as text (several paths are not supported)"
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path):
        return "remote resources (URLs) are not supported; put the file inside the package folder"
    if "\\" in path or re.match(r"^[A-Za-z]:", path):
        return "use forward slashes and a relative path (no drive letters or backslashes)"
    pure = PurePosixPath(path)
    if pure.is_absolute():
        return "absolute paths are not allowed (Frictionless forbids them); give a path relative to the package folder"
    if ".." in pure.parts:
        return "'..' is not allowed in a path (Frictionless forbids it); keep the file inside the package folder"
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root):
        return f"resolves outside the package folder (a symbolic link to {resolved}); copy the file into the package"
    return None


def descriptor_problems(root: Path, descriptor) -> list[Problem]:
    """Everything that keeps ``descriptor`` from being used, before any data file is read."""
    if not isinstance(descriptor, dict):
        return [_problem("", type(descriptor).__name__, "descriptor", "the descriptor must be a JSON object")]
    problems = []
    if not isinstance(descriptor.get("version"), str):
        problems.append(_problem("version", descriptor.get("version"), "descriptor", "a version string is required"))
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        return problems + [_problem("resources", None, "descriptor", "a non-empty list of resources is required")]
    names = [r.get("name") if isinstance(r, dict) else None for r in resources]
    for i, res in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(res, dict):
            problems.append(_problem(where, None, "descriptor", "each resource must be a JSON object"))
            continue
        if not isinstance(res.get("name"), str) or not res["name"]:
            problems.append(_problem(f"{where}.name", res.get("name"), "descriptor", "each resource needs a name"))
        elif res["name"] in names[:i]:
            problems.append(_problem(f"{where}.name", res["name"], "descriptor",
                                     f"resource names must be unique (resources[{names.index(res['name'])}] has it)"))
        why = path_problem(root, res.get("path"))
        if why:
            problems.append(_problem(f"{where}.path", res.get("path"), "unsafe-path", why))
        problems += _schema_problems(where, res.get("schema"), names)
    if problems:
        return problems
    columns = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in resources}
    for i, res in enumerate(resources):  # references between resources, once each is well formed
        own = columns[res["name"]]
        for field in res["schema"]["fields"]:
            ref = field.get("x-references")
            if ref and ref["field"] not in columns.get(ref["resource"], []):
                problems.append(_problem(f"resources[{i}].schema.fields.{field['name']}.x-references",
                                         f"{ref['resource']}.{ref['field']}", "schema",
                                         "x-references names a resource or field that does not exist"))
        for fk in res["schema"].get("foreignKeys", []):
            target = fk["reference"].get("resource") or res["name"]
            pairs = [(res["name"], f, own) for f in _as_list(fk["fields"])]
            pairs += [(target, f, columns[target]) for f in _as_list(fk["reference"]["fields"])]
            problems += [_problem(f"resources[{i}].schema.foreignKeys", f"{table}.{f}", "schema",
                                  "foreign key names a field that does not exist")
                         for table, f, cols in pairs if f not in cols]
        problems += _declared_problems(i, res, columns)
        spec = res.get("x-points")
        if spec is not None and not (isinstance(spec, dict) and spec.get("latitude") in own
                                     and spec.get("longitude") in own
                                     and (isinstance(spec.get("country"), str) or spec.get("countryField") in own)
                                     and isinstance(spec.get("toleranceKm", 0), (int, float))):
            problems.append(_problem(f"resources[{i}].x-points", None, "schema",
                                     "x-points needs latitude and longitude fields of this resource, a country "
                                     "(ISO 3166 alpha-3) or a countryField, and optionally toleranceKm"))
    return problems


def _declared_problems(i: int, res: dict, columns: dict) -> list[Problem]:
    """The custom properties that declare table-shape rules name fields that exist.

    ``x-window`` (start, end, optional precision with precisionDays), ``x-chain`` (entity,
    before, after, optional skip and baseline, entities), ``x-cited`` (a link table and its field)
    and ``x-referenced-kind`` (a field pointing at rows of an allowed kind).
    """
    own, where = columns[res["name"]], f"resources[{i}]"
    types = {f["name"]: f.get("type") for f in res["schema"]["fields"]}
    key = _as_list(res["schema"].get("primaryKey", []))
    problems = []

    def need(prop, ok, message):
        if not ok:
            problems.append(_problem(f"{where}.{prop}", None, "schema", message))

    def has(table, field):
        return isinstance(field, str) and field in columns.get(table, [])

    win = res.get("x-window")
    if win is not None:
        need("x-window", isinstance(win, dict) and types.get(win.get("start")) == "date"
             and types.get(win.get("end")) == "date", "x-window needs start and end date fields of this resource")
        if isinstance(win, dict) and "precision" in win:
            days = win.get("precisionDays")
            need("x-window", win["precision"] in own and isinstance(days, dict) and all(
                isinstance(v, list) and len(v) == 2 for v in days.values()),
                 "x-window.precision needs a field and precisionDays {value: [min, max]} (max null: no limit)")
    chain = res.get("x-chain")
    if chain is not None:
        ok = isinstance(chain, dict) and all(chain.get(k) in own for k in ("entity", "before", "after"))
        ok = ok and isinstance(win, dict) and len(key) == 1
        ok = ok and all(has(res["name"], chain[k]["field"]) for k in ("skip", "baseline", "steady") if k in chain)
        ok = ok and ("entities" not in chain or has(chain["entities"].get("resource"), chain["entities"].get("field")))
        need("x-chain", ok, "x-chain needs entity, before and after fields (and an x-window and a one-field primary "
                            "key); skip, baseline, steady and entities must name fields that exist")
    cited = res.get("x-cited")
    if cited is not None:
        need("x-cited", isinstance(cited, dict) and has(cited.get("resource"), cited.get("field")) and len(key) == 1,
             "x-cited needs a resource and field that exist, and a one-field primary key")
    kind = res.get("x-referenced-kind")
    if kind is not None:
        need("x-referenced-kind", isinstance(kind, dict) and kind.get("field") in own
             and has(kind.get("resource"), kind.get("referenceField")) and has(kind.get("resource"), kind.get("kindField"))
             and isinstance(kind.get("allowed"), list), "x-referenced-kind needs field, resource, referenceField, "
                                                        "kindField and a list of allowed values")
    rules = res.get("x-evidence-rules")
    if rules is not None:
        ok = isinstance(rules, dict) and len(key) == 1
        ok = ok and all(isinstance(rules.get(k), str) and rules[k] in own for k in ("status", "confidence", "controller"))
        links, sources = (rules.get("links"), rules.get("sources")) if ok else (None, None)
        ok = ok and isinstance(links, dict) and all(has(links.get("resource"), links.get(k))
                                                   for k in ("event", "source", "evidence"))
        ok = ok and isinstance(sources, dict) and all(has(sources.get("resource"), sources.get(k))
                                                     for k in ("key", "originator", "party"))
        ok = ok and isinstance(rules.get("namesPlace"), dict) and isinstance(rules.get("confidenceOrder"), list)
        ok = ok and isinstance(rules.get("confirmed"), dict) and isinstance(rules["confirmed"].get("rule"), str)
        ok = ok and (rules.get("notes") is None or rules["notes"] in own)
        ok = ok and all(has(res["name"], rules[k]["field"]) for k in ("skip", "baseline") if k in rules)
        high = rules.get("high") if ok else None
        ok = ok and (high is None or (isinstance(high, dict) and isinstance(high.get("minOriginators"), int)))
        need("x-evidence-rules", ok, "x-evidence-rules needs status, confidence and controller fields of this resource, "
                                     "links (resource, event, source, evidence) and sources (resource, key, originator, "
                                     "party) that exist, namesPlace, confidenceOrder and a confirmed rule; high."
                                     "minOriginators must be an integer")
    req = res.get("x-required-if-empty")
    if req is not None:
        need("x-required-if-empty", isinstance(req, dict) and req.get("field") in own and req.get("empty") in own,
             "x-required-if-empty needs a field and an empty field of this resource")
    return problems


def _schema_problems(where: str, schema, names: list) -> list[Problem]:
    if isinstance(schema, str):
        return [_problem(f"{where}.schema", schema, "schema",
                         "a schema given as a path or URL is not supported yet; write the Table Schema inline")]
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        return [_problem(f"{where}.schema", None, "schema", "the resource needs a Table Schema with a list of fields")]
    problems, fields = [], []
    for j, field in enumerate(schema["fields"]):
        at = f"{where}.schema.fields[{j}]"
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"]:
            problems.append(_problem(at, None, "schema", "each field needs a name"))
            continue
        fields.append(field["name"])
        problems += _field_problems(at, field)
    if len(set(fields)) < len(fields):
        problems.append(_problem(f"{where}.schema.fields", None, "schema", "field names must be unique"))
    key = schema.get("primaryKey", [])
    if not _text_list(key):
        problems.append(_problem(f"{where}.schema.primaryKey", key, "schema", "must be a field name or a list of them"))
    else:
        problems += [_problem(f"{where}.schema.primaryKey", k, "schema", "primary key names no field")
                     for k in _as_list(key) if k not in fields]
    if not _text_list(schema.get("missingValues", [])) or isinstance(schema.get("missingValues"), str):
        problems.append(_problem(f"{where}.schema.missingValues", schema.get("missingValues"), "schema",
                                 "must be a list of strings"))
    fks = schema.get("foreignKeys", [])
    for fk in fks if isinstance(fks, list) else [None]:
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if not isinstance(ref, dict) or not _text_list(fk.get("fields")) or not _text_list(ref.get("fields")):
            problems.append(_problem(f"{where}.schema.foreignKeys", None, "schema",
                                     "each foreign key needs fields and a reference with fields"))
            continue
        if ref.get("resource", "") not in [*names, ""]:
            problems.append(_problem(f"{where}.schema.foreignKeys", ref.get("resource"), "schema",
                                     "foreign key refers to a resource that does not exist"))
        elif len(_as_list(fk["fields"])) != len(_as_list(ref["fields"])):
            problems.append(_problem(f"{where}.schema.foreignKeys", None, "schema",
                                     "a foreign key needs as many reference fields as fields"))
    return problems


def _text_list(value) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _field_problems(at: str, field: dict) -> list[Problem]:
    kind = field.get("type")
    if kind not in SUPPORTED_TYPES:
        return [_problem(f"{at}.type", kind, "unsupported-type",
                         f"field {field['name']!r}: type must be one of {', '.join(SUPPORTED_TYPES)}")]
    cons = field.get("constraints", {})
    if not isinstance(cons, dict):
        return [_problem(f"{at}.constraints", None, "schema", "constraints must be a JSON object")]
    problems = []
    for flag in ("required", "unique"):
        if flag in cons and not isinstance(cons[flag], bool):
            problems.append(_problem(f"{at}.constraints.{flag}", cons[flag], "schema", "must be true or false"))
    if "enum" in cons and (kind != "string" or not isinstance(cons["enum"], list)
                           or not all(isinstance(v, str) for v in cons["enum"]) or not cons["enum"]):
        problems.append(_problem(f"{at}.constraints.enum", None, "schema",
                                 "enum is supported on string fields, as a non-empty list of strings"))
    if "pattern" in cons:
        try:
            if kind != "string":
                raise TypeError("patterns apply to string fields")
            re.compile(cons["pattern"])
        except (re.error, TypeError) as err:
            problems.append(_problem(f"{at}.constraints.pattern", cons["pattern"], "schema",
                                     f"not a valid pattern ({err})"))
    for bound in ("minimum", "maximum"):
        if bound in cons and (kind not in ("integer", "number") or isinstance(cons[bound], bool)
                              or not isinstance(cons[bound], (int, float))):
            problems.append(_problem(f"{at}.constraints.{bound}", cons[bound], "schema",
                                     f"{bound} is supported on integer and number fields, as a number"))
    ref = field.get("x-references")
    if ref is not None and not (isinstance(ref, dict) and all(isinstance(ref.get(k), str) and ref.get(k)
                                                              for k in ("resource", "field", "delimiter"))):
        problems.append(_problem(f"{at}.x-references", None, "schema",
                                 "x-references needs resource, field and delimiter"))
    return problems


@lru_cache(maxsize=16)
def _read(root: Path, mtime_ns: int) -> dict[str, Any]:
    path = root / DESCRIPTOR
    if not path.resolve().is_relative_to(root):
        raise PackageError(f"{path} is a link to a file outside the package folder; refusing to read it",
                           [_problem("", None, "unsafe-path", "datapackage.json must be a file inside the package folder")])
    data = path.read_bytes()
    try:
        descriptor = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise PackageError(f"{path}: not UTF-8 (byte {err.start}, line {line})",
                           [_problem(None, None, "encoding", f"not UTF-8 at byte {err.start}; save it as UTF-8", row=line)])
    except json.JSONDecodeError as err:
        raise PackageError(f"{path}: not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}",
                           [_problem(f"char {err.colno}", None, "json",
                                     f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})",
                                     row=err.lineno)]) from None
    problems = descriptor_problems(root, descriptor)
    if problems:
        raise PackageError(f"{path} cannot be used:\n" + "\n".join(f"  {p}" for p in problems), problems)
    return descriptor


def read_package(root: str | Path | None = None) -> Package:
    """Parse and check the descriptor of ``root`` (default: the bundled package).

    Parameters
    ----------
    root : a data package folder or its ``datapackage.json``; None for the bundled package.

    Raises ``PackageError`` (with ``problems``) if the descriptor cannot be used safely.
    """
    path = resolve_root(root).resolve()
    return Package(path, _read(path, (path / DESCRIPTOR).stat().st_mtime_ns))
