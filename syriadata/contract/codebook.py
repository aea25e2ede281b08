"""The codebook: every table and field of the descriptor, in Markdown (docs/codebook.md)."""
from __future__ import annotations

import json
from pathlib import Path

from .descriptor import read_package


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = []
    if c.get("required"):
        parts.append("required")
    if c.get("unique"):
        parts.append("unique")
    if "pattern" in c:
        parts.append(f"pattern `{c['pattern']}`")
    if "minimum" in c:
        parts.append(f"min {c['minimum']}")
    if "maximum" in c:
        parts.append(f"max {c['maximum']}")
    if "enum" in c:
        parts.append("one of the categories below")
    if "x-references" in field:
        ref = field["x-references"]
        parts.append(f"`{ref['delimiter']}`-separated ids of `{ref['resource']}.{ref['field']}`")
    return ", ".join(parts)


def codebook(root: str | Path | None = None) -> str:
    pkg = read_package(root)
    d = pkg.descriptor
    lines = [f"# Codebook: {d['title']}", "", f"Version {d['version']}. Generated from `datapackage.json` by",
             "`syriadata codebook`; do not edit by hand.", "", d.get("description", ""), ""]
    for res in d["resources"]:
        schema = res["schema"]
        lines += [f"## `{res['name']}`: {res.get('title', '')}", "", res.get("description", ""), "",
                  f"File `{res['path']}`. Primary key: {', '.join(f'`{k}`' for k in pkg.primary_key(res['name']))}."]
        for fk in pkg.foreign_keys(res["name"]):
            ref = fk["reference"]
            lines.append(f"Foreign key: `{', '.join(fk['fields'])}` -> `{ref['resource']}.{', '.join(ref['fields'])}`.")
        lines += ["", "| field | type | constraints | description |", "|---|---|---|---|"]
        for f in schema["fields"]:
            desc = f.get("description", "").replace("|", "\\|")
            lines.append(f"| `{f['name']}` | {f['type']} | {_constraints(f)} | {desc} |")
        for f in schema["fields"]:
            if "categories" in f:
                order = " (ordered)" if f.get("categoriesOrdered") else ""
                lines += ["", f"Categories of `{f['name']}`{order}:", ""]
                lines += [f"- `{c['value']}`: {c.get('label', '')}" for c in f["categories"]]
        rules = res.get("x-evidence-rules")
        if rules:
            lines += ["", "Evidence rules (`x-evidence-rules`, checked by `syriadata validate`):", ""]
            lines += [f"- `{k}`: `{json.dumps(v, ensure_ascii=False)}`" for k, v in rules.items()]
        lines.append("")
    return "\n".join(lines)
