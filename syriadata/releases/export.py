"""Export every table with its types kept: CSV, Parquet (schema in the file's metadata) or xlsx;
or the places as GeoJSON (``places.geojson``, RFC 7946 points, ``[longitude, latitude]``).

In the xlsx workbook dates are spreadsheet dates shown as ``yyyy-mm-dd``, columns are sized to
their contents (within limits) and the header row is frozen.

Spreadsheet cells that a spreadsheet program would run as a formula (text starting with = + - @,
a tab or a carriage return) are written with a leading apostrophe, which spreadsheets hide and
:func:`read_export` removes, so a round trip loses nothing. The descriptor is written alongside.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from .._atomic import output_dir
from ..contract.descriptor import read_package
from ..errors import UsageError
from ..contract.tables import read_tables
from ..contract.schema import dtypes

FORMATS = ("csv", "parquet", "xlsx", "geojson")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    if isinstance(value, str) and (value.startswith(_DANGEROUS) or value.startswith("'")):
        return "'" + value  # an existing leading apostrophe is escaped the same way, so reading is exact
    return value


def _unsafe(value):
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def export_package(out: str | Path, fmt: str, *, root: str | Path | None = None) -> Path:
    """Write every table of the package in ``fmt`` into the folder ``out``; return ``out``.

    ``out`` must be new, empty or a previous export (see :mod:`syriadata._atomic`); it is replaced
    atomically, so a failure or a kill leaves the previous export complete. Raises
    :class:`~syriadata.errors.OutputError` for any other folder, before anything is written.
    """
    if fmt not in FORMATS:
        raise UsageError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    pkg = read_package(root)
    tables = read_tables(pkg)
    out = Path(out)
    with output_dir(out, "export", package_root=pkg.root) as work:
        shutil.copy(pkg.root / "datapackage.json", work / "datapackage.json")
        if fmt == "csv":
            for res in pkg.descriptor["resources"]:
                (work / "data").mkdir(exist_ok=True)
                shutil.copy(pkg.path(res["name"]), work / "data" / Path(res["path"]).name)
        elif fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            for name, frame in tables.items():
                table = pa.Table.from_pandas(frame, preserve_index=False)
                meta = dict(table.schema.metadata or {})
                meta[b"frictionless:schema"] = json.dumps(pkg.resource(name)["schema"], ensure_ascii=False).encode()
                meta[b"syriadata:version"] = pkg.version.encode()
                pq.write_table(table.replace_schema_metadata(meta), work / f"{name}.parquet")
        elif fmt == "geojson":
            collection = places_geojson(tables["places"])
            (work / "places.geojson").write_text(json.dumps(collection, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
        else:
            with pd.ExcelWriter(work / "syriadata.xlsx", engine="openpyxl",
                                date_format="yyyy-mm-dd", datetime_format="yyyy-mm-dd") as writer:
                for name, frame in tables.items():
                    safe = frame.copy()
                    for col in safe.columns:
                        if not pd.api.types.is_numeric_dtype(safe[col]) and not pd.api.types.is_datetime64_any_dtype(safe[col]):
                            safe[col] = safe[col].astype(object).map(_safe)
                    safe.to_excel(writer, sheet_name=name[:31], index=False)
                    _format_sheet(writer.sheets[name[:31]], safe)
    return out


_MIN_WIDTH, _MAX_WIDTH = 8, 60


def _format_sheet(ws, frame: pd.DataFrame) -> None:
    """Dates as ``yyyy-mm-dd`` (not midnight times), columns sized to their contents, header frozen."""
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = "A2"
    for i, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            for cell in ws[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
            longest = 10
        else:
            sample = values.dropna().astype(str).head(500)
            longest = int(sample.map(lambda v: max(map(len, v.splitlines() or [""]))).max()) if len(sample) else 0
        ws.column_dimensions[letter].width = max(_MIN_WIDTH, min(_MAX_WIDTH, max(longest, len(str(col))) + 2))


def places_geojson(places: pd.DataFrame, properties: pd.DataFrame | None = None) -> dict:
    """A GeoJSON FeatureCollection (RFC 7946) of the places that have coordinates.

    Positions are ``[longitude, latitude]``. Each feature's ``id`` is the place id; its properties
    are the place's columns other than the coordinates (dates as ``YYYY-MM-DD``, missing values as
    null), plus the columns of ``properties`` (indexed like ``places``) if given. The ids of places
    without coordinates are listed in the collection's ``missing`` member.
    """
    frame = places if properties is None else pd.concat([places, properties], axis=1)
    located = frame["latitude"].notna() & frame["longitude"].notna()
    features = []
    for _, row in frame[located].iterrows():
        props = {k: _json_value(v) for k, v in row.items() if k not in ("latitude", "longitude")}
        features.append({"type": "Feature", "id": str(row["place_id"]),
                         "geometry": {"type": "Point", "coordinates": [float(row["longitude"]), float(row["latitude"])]},
                         "properties": props})
    return {"type": "FeatureCollection", "features": features,
            "missing": sorted(frame.loc[~located, "place_id"].astype(str))}


def _json_value(value):
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "item"):
        return value.item()
    return value


def read_export(folder: str | Path, fmt: str) -> dict[str, pd.DataFrame]:
    """Read an export back into typed frames (the inverse of :func:`export_package`)."""
    folder = Path(folder)
    pkg = read_package(folder)
    if fmt == "csv":
        return read_tables(pkg)
    if fmt == "parquet":
        return {name: pd.read_parquet(folder / f"{name}.parquet") for name in pkg.table_names}
    sheets = pd.read_excel(folder / "syriadata.xlsx", sheet_name=None, dtype=object)
    out = {}
    for name in pkg.table_names:
        frame = sheets[name[:31]]
        types = dtypes(pkg.fields(name))
        for col, dtype in types.items():
            values = frame[col].map(_unsafe).where(frame[col].notna(), None)
            if str(dtype).startswith("datetime"):
                frame[col] = pd.to_datetime(values).astype(dtype)
            elif str(dtype) == "Int64":
                frame[col] = pd.array(values, dtype="Int64")
            elif str(dtype) == "boolean":
                frame[col] = pd.array([None if v is None else v if isinstance(v, bool) else str(v).lower() == "true"
                                       for v in values], dtype="boolean")
            elif str(dtype) == "float64":
                frame[col] = pd.to_numeric(values).astype(float)
            else:
                frame[col] = pd.Series(values, index=frame.index).astype("string").astype(dtype)
        out[name] = frame
    return out
