"""Rules pandera cannot express on one table: keys across tables, chains of control, dates, files.

Each check takes the package and the typed tables and returns a list of problems; ``ALL_CHECKS``
is the list ``validate_package`` runs.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib

import numpy as np
import pandas as pd

from .descriptor import Package
from .problems import Problem, csv_line as _line

Tables = dict[str, pd.DataFrame]


def needs(**tables: list[str]):
    """Run a check only on packages that have these tables with these fields.

    A package without one of the tables is not of the kind the check is for and is skipped; a
    table that lacks a needed field is reported, since the check cannot run on it.
    """
    def wrap(check):
        @functools.wraps(check)
        def run(pkg: Package, data: Tables) -> list[Problem]:
            if not all(name in data for name in tables):
                return []
            missing = [(name, col) for name, cols in tables.items() for col in cols if col not in data[name].columns]
            if missing:
                return [Problem(pkg.resource(name)["path"], None, col, None, "check-skipped",
                                f"{check.__name__} needs this field") for name, col in missing]
            return check(pkg, data)
        return run
    return wrap


def check_foreign_keys(pkg: Package, tables: Tables) -> list[Problem]:
    """Every foreign key in the descriptor, plus the ``x-references`` list fields (e.g. ``source_ids``)."""
    problems = []
    for name in pkg.table_names:
        frame, file = tables[name], pkg.resource(name)["path"]
        for fk in pkg.foreign_keys(name):
            cols, ref_cols = fk["fields"], fk["reference"]["fields"]
            ref = fk["reference"].get("resource") or name
            values = frame[cols].astype("string")
            present = values.notna().all(axis=1)  # a key with an empty part is not a reference
            known = pd.MultiIndex.from_frame(tables[ref][ref_cols].astype("string").dropna())
            bad = present & ~pd.MultiIndex.from_frame(values).isin(known)
            for i in frame.index[bad]:
                shown = "/".join(str(values.at[i, c]) for c in cols)
                problems.append(Problem(file, _line(i), ",".join(cols), shown, "foreign-key",
                                        f"no row of {ref} has {'/'.join(ref_cols)} = {shown!r}"))
        for field in pkg.fields(name):
            ref = field.get("x-references")
            if not ref:
                continue
            known = set(tables[ref["resource"]][ref["field"]].dropna().astype(str))
            for i, cell in frame[field["name"]].dropna().items():
                for item in str(cell).split(ref["delimiter"]):
                    if item not in known:
                        problems.append(Problem(file, _line(i), field["name"], item, "foreign-key",
                                                f"no row of {ref['resource']} has {ref['field']} = {item!r}"))
    return problems


def check_date_order(pkg: Package, tables: Tables) -> list[Problem]:
    """Start dates never after end dates (events, episodes, alias validity, relations)."""
    pairs = [("control_events", "date_start", "date_end"), ("episodes", "date_start", "date_end"),
             ("crossing_status", "date_start", "date_end"),
             ("actor_aliases", "valid_from", "valid_to"), ("actor_relations", "date_start", "date_end"),
             ("actors", "founded", "dissolved")]
    problems = []
    for name, start, end in pairs:
        if name not in tables or not {start, end} <= set(tables[name].columns):
            continue
        frame, file = tables[name], pkg.resource(name)["path"]
        bad = frame[start].notna() & frame[end].notna() & (frame[start] > frame[end])
        problems += [Problem(file, _line(i), end, str(frame.at[i, end].date()), "date-order",
                             f"{end} is before {start} ({frame.at[i, start].date()})") for i in frame.index[bad]]
    return problems


def check_no_future_dates(pkg: Package, tables: Tables, today: dt.date | None = None) -> list[Problem]:
    """No date field lies after today."""
    limit = pd.Timestamp(today or dt.date.today())
    problems = []
    for name in pkg.table_names:
        frame, file = tables[name], pkg.resource(name)["path"]
        for field in pkg.fields(name):
            if field["type"] != "date":
                continue
            col = frame[field["name"]]
            problems += [Problem(file, _line(i), field["name"], str(col[i].date()), "future-date",
                                 f"is after today ({limit.date()})") for i in col.index[col.notna() & (col > limit)]]
    return problems


@needs(control_events=["event_id"], event_sources=["event_id"])
def check_event_sources(pkg: Package, tables: Tables) -> list[Problem]:
    """Every control event cites at least one source."""
    events, links = tables["control_events"], tables["event_sources"]
    cited = set(links["event_id"].dropna().astype(str))
    missing = events["event_id"].notna() & ~events["event_id"].astype("string").isin(cited)
    return [Problem(pkg.resource("control_events")["path"], _line(i), "event_id", str(events.at[i, "event_id"]),
                    "no-source", "event has no row in event_sources") for i in events.index[missing]]


PRECISION_DAYS = {"day": (0, 0), "days": (1, 5), "week": (6, 12), "month": (13, 61), "months": (62, 10**6)}


@needs(control_events=["date_start", "date_end", "date_precision"])
def check_precision(pkg: Package, tables: Tables) -> list[Problem]:
    """The named date precision matches the width of the date window."""
    ev = tables["control_events"]
    width = (ev["date_end"] - ev["date_start"]).dt.days
    lo = ev["date_precision"].map(lambda p: PRECISION_DAYS.get(p, (None, None))[0]).astype("Float64")
    hi = ev["date_precision"].map(lambda p: PRECISION_DAYS.get(p, (None, None))[1]).astype("Float64")
    bad = width.notna() & lo.notna() & ((width < lo) | (width > hi))
    return [Problem(pkg.resource("control_events")["path"], _line(i), "date_precision", str(ev.at[i, "date_precision"]),
                    "precision", f"window is {int(width[i]) + 1} day(s) wide") for i in ev.index[bad.fillna(False)]]


@needs(control_events=["event_id", "place_id", "date_start", "date_end", "controller_before",
                       "controller_after", "claim_status", "event_type"], places=["place_id"])
def check_chains(pkg: Package, tables: Tables) -> list[Problem]:
    """Per place, events form a chain: the first is the baseline (no controller before) and each
    later event's controller_before equals the previous event's controller_after. Retracted events
    are kept for the record but are not links of the chain."""
    ev = tables["control_events"]
    file = pkg.resource("control_events")["path"]
    live = ev[ev["claim_status"] != "retracted"].sort_values(["place_id", "date_start", "date_end", "event_id"])
    prev_after = live.groupby("place_id", observed=True)["controller_after"].shift()
    first = prev_after.isna() & ~live.duplicated("place_id")
    problems = []
    before = live["controller_before"].astype("string")
    for i in live.index[first & before.notna()]:
        problems.append(Problem(file, _line(i), "controller_before", str(before[i]), "chain",
                                "a place's first event is its baseline and has no controller_before"))
    for i in live.index[~first & before.isna()]:
        problems.append(Problem(file, _line(i), "controller_before", None, "chain",
                                f"only a place's first event may lack controller_before (previous: {prev_after[i]})"))
    broken = ~first & before.notna() & (before != prev_after.astype("string"))
    for i in live.index[broken.fillna(False)]:
        problems.append(Problem(file, _line(i), "controller_before", str(before[i]), "chain",
                                f"previous event of {live.at[i, 'place_id']} left it with {prev_after[i]!r}"))
    prev_end = live.groupby("place_id", observed=True)["date_end"].shift()
    prev_id = live.groupby("place_id", observed=True)["event_id"].shift()
    for i in live.index[(live["date_end"] < prev_end).fillna(False)]:
        problems.append(Problem(file, _line(i), "date_end", str(live.at[i, "date_end"].date()), "window-order",
                                f"window lies inside the window of the previous change {prev_id[i]} (which ends "
                                f"{prev_end[i].date()}), so no reading of the dates keeps the order of the chain; "
                                f"narrow {prev_id[i]}'s window to end by {live.at[i, 'date_end'].date()}"))
    baseline = live["event_type"] == "baseline"
    for i in live.index[baseline & ~first]:
        problems.append(Problem(file, _line(i), "event_type", "baseline", "chain",
                                "a baseline row must be the first event of its place"))
    places = set(tables["places"]["place_id"].astype(str))
    without = sorted(places - set(live["place_id"].astype(str)))
    problems += [Problem(pkg.resource("places")["path"], None, "place_id", p, "no-events",
                         "place has no control events (not even a baseline)") for p in without]
    return problems


@needs(places=["place_id", "place_type"], crossings=["place_id"])
def check_crossing_types(pkg: Package, tables: Tables) -> list[Problem]:
    """Rows of ``crossings`` point at places typed as crossings."""
    types = tables["places"].set_index("place_id")["place_type"].astype("string")
    cr = tables["crossings"]
    kinds = cr["place_id"].astype("string").map(types)
    bad = kinds.notna() & ~kinds.isin(["border_crossing", "ceasefire_line_crossing"])
    return [Problem(pkg.resource("crossings")["path"], _line(i), "place_id", str(cr.at[i, "place_id"]), "crossing-type",
                    f"place_type is {kinds[i]!r}, not a crossing") for i in cr.index[bad]]


def check_points(pkg: Package, tables: Tables) -> list[Problem]:
    """Coordinates lie inside their country's outline (within a tolerance for border points).

    Declared per resource as ``x-points``: the latitude and longitude fields, the country
    (ISO 3166 alpha-3) and ``toleranceKm``. Catches swapped coordinates and places in a
    neighbouring country that a latitude/longitude box lets through.
    """
    problems = []
    for name in pkg.table_names:
        spec = pkg.resource(name).get("x-points")
        if not spec:
            continue
        frame, file = tables[name], pkg.resource(name)["path"]
        tolerance = float(spec.get("toleranceKm", 0))
        country = (frame[spec["countryField"]].astype("string") if "countryField" in spec
                   else pd.Series(spec["country"], index=frame.index, dtype="string"))
        for iso3, rows in frame.groupby(country, observed=True):
            problems += _points_outside(rows, spec, str(iso3), tolerance, file)
    return problems


def _points_outside(rows: pd.DataFrame, spec: dict, iso3: str, tolerance: float, file: str) -> list[Problem]:
    from .errors import UsageError
    from .outlines import OUTLINE_NAME, distance_outside_km

    lat, lon = rows[spec["latitude"]].astype(float), rows[spec["longitude"]].astype(float)
    try:
        outside = distance_outside_km(iso3, lat, lon)
    except UsageError as err:  # a country the outlines do not know
        return [Problem(file, _line(rows.index[0]), spec.get("countryField"), iso3, "outside-country", str(err))]
    swapped = distance_outside_km(iso3, lon, lat)
    problems = []
    for j in np.flatnonzero(outside > tolerance):
        i = rows.index[j]
        hint = ("; latitude and longitude look swapped" if swapped[j] <= tolerance
                else "; check the source of the coordinates")
        problems.append(Problem(file, _line(i), spec["latitude"], f"{lat[i]}, {lon[i]}", "outside-country",
                                f"point lies {outside[j]:.0f} km outside {iso3} "
                                f"({OUTLINE_NAME}; tolerance {tolerance:g} km){hint}"))
    return problems


def file_sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_files(pkg: Package, tables: Tables) -> list[Problem]:
    """Files are tidy (LF, no trailing spaces, sorted by primary key) and match the descriptor's bytes and hash."""
    problems = []
    for name in pkg.table_names:
        res, path = pkg.resource(name), pkg.path(name)
        if not path.is_file():
            continue
        data = path.read_bytes()
        file = res["path"]
        if b"\r" in data:
            problems.append(Problem(file, None, None, None, "line-endings", "use LF line endings, not CRLF"))
        for n, line in enumerate(data.split(b"\n"), start=1):
            if line.rstrip(b" \t") != line:
                problems.append(Problem(file, n, None, None, "trailing-space", "line ends with spaces"))
        pk = pkg.primary_key(name)
        keys = tables[name][pk].astype(str)  # text order, as `tidy` writes it (not category order)
        if pk and len(keys) and not keys.equals(keys.sort_values(pk).set_axis(keys.index)):
            problems.append(Problem(file, None, ",".join(pk), None, "sort-order",
                                    f"rows must be sorted by {', '.join(pk)} (run `syriadata tidy`)"))
        if res.get("bytes") is not None and res["bytes"] != len(data):
            problems.append(Problem(file, None, None, str(len(data)), "bytes",
                                    f"descriptor says {res['bytes']} bytes (run `syriadata tidy` to update)"))
        want = res.get("hash")
        if want is not None and want != f"sha256:{hashlib.sha256(data).hexdigest()}":
            problems.append(Problem(file, None, None, None, "hash",
                                    "file changed since its hash was recorded (run `syriadata tidy` to update)"))
    return problems


ALL_CHECKS = [check_foreign_keys, check_date_order, check_no_future_dates, check_event_sources,
              check_precision, check_chains, check_crossing_types, check_points, check_files]
