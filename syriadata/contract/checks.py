"""Rules pandera cannot express on one table: keys across tables, chains of control, dates, files.

Each check takes the package and the typed tables and returns a list of problems; ``ALL_CHECKS``
is the list ``validate_package`` runs.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd

from .descriptor import Package
from .problems import Problem, csv_line as _line

Tables = dict[str, pd.DataFrame]


def declared(prop: str):
    """The resources that declare the custom property ``prop``, with its value: (name, spec) pairs."""
    def of(pkg: Package):
        return [(name, pkg.resource(name)[prop]) for name in pkg.table_names if pkg.resource(name).get(prop)]
    return of


def _isin(values, known) -> np.ndarray:
    """``values.isin(known)`` as a boolean array, fast for text (pandas' string dtype has a slow ``isin``);
    a missing value is never in ``known``."""
    arr = np.asarray(pd.Series(values).astype(object).to_numpy(), dtype=object)
    ref = np.asarray(pd.Series(known).dropna().astype(object).to_numpy(), dtype=object)
    return np.asarray(pd.Index(arr, dtype=object).isin(ref), dtype=bool)


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
            if len(cols) == 1:
                found = _isin(values[cols[0]], tables[ref][ref_cols[0]].astype("string"))
            else:
                known = pd.MultiIndex.from_frame(tables[ref][ref_cols].astype("string").dropna())
                found = pd.MultiIndex.from_frame(values).isin(known)
            bad = present & ~found
            for i in frame.index[bad]:
                shown = "/".join(str(values.at[i, c]) for c in cols)
                problems.append(Problem(file, _line(i), ",".join(cols), shown, "foreign-key",
                                        f"no row of {ref} has {'/'.join(ref_cols)} = {shown!r}"))
        for field in pkg.fields(name):
            ref = field.get("x-references")
            if not ref:
                continue
            known = tables[ref["resource"]][ref["field"]].dropna().astype(str)
            # every cell split once; the items keep the row's label and their order within the cell
            items = frame[field["name"]].dropna().astype(str).str.split(ref["delimiter"], regex=False).explode()
            for i, item in items[~_isin(items, known)].items():
                problems.append(Problem(file, _line(i), field["name"], item, "foreign-key",
                                        f"no row of {ref['resource']} has {ref['field']} = {item!r}"))
    return problems


def check_date_order(pkg: Package, tables: Tables) -> list[Problem]:
    """Start dates never after end dates, for every resource declaring ``x-window``."""
    problems = []
    for name, spec in declared("x-window")(pkg):
        start, end = spec["start"], spec["end"]
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


def check_event_sources(pkg: Package, tables: Tables) -> list[Problem]:
    """Every row of a resource declaring ``x-cited`` has a row in the link table it names."""
    problems = []
    for name, spec in declared("x-cited")(pkg):
        (key,) = pkg.primary_key(name)
        rows, links = tables[name], tables[spec["resource"]]
        cited = links[spec["field"]].dropna().astype("string")
        missing = rows[key].notna() & ~_isin(rows[key].astype("string"), cited)
        problems += [Problem(pkg.resource(name)["path"], _line(i), key, str(rows.at[i, key]), "no-source",
                             f"row has no row in {spec['resource']}") for i in rows.index[missing]]
    return problems


def check_precision(pkg: Package, tables: Tables) -> list[Problem]:
    """The named date precision matches the width of the date window (``x-window.precisionDays``)."""
    problems = []
    for name, spec in declared("x-window")(pkg):
        if "precision" not in spec:
            continue
        frame, col = tables[name], spec["precision"]
        bounds = {k: (lo, np.inf if hi is None else hi) for k, (lo, hi) in spec["precisionDays"].items()}
        width = (frame[spec["end"]] - frame[spec["start"]]).dt.days
        named = frame[col].astype(object)
        lo = named.map({k: v[0] for k, v in bounds.items()}).astype(float)
        hi = named.map({k: v[1] for k, v in bounds.items()}).astype(float)
        bad = (width < lo) | (width > hi)
        problems += [Problem(pkg.resource(name)["path"], _line(i), col, str(frame.at[i, col]), "precision",
                             f"window is {int(width[i]) + 1} day(s) wide") for i in frame.index[bad.fillna(False)]]
    return problems


def check_chains(pkg: Package, tables: Tables) -> list[Problem]:
    """Chains of control, for every resource declaring ``x-chain``.

    Per entity (a place), rows in chain order (window start, window end, key) form a chain: the
    first is the baseline (no ``before``) and each later row's ``before`` equals the previous
    row's ``after``; rows whose ``skip`` field has a skipped value (retracted claims) are kept
    for the record but are not links. No window may lie inside the previous one's (no reading of
    the dates could keep the chain's order). Every entity has at least one row.
    """
    problems = []
    for name, spec in declared("x-chain")(pkg):
        problems += _chain_problems(pkg, name, spec, tables)
    return problems


def _chain_problems(pkg: Package, name: str, spec: dict, tables: Tables) -> list[Problem]:
    window = pkg.resource(name)["x-window"]
    entity, before_col, after_col = spec["entity"], spec["before"], spec["after"]
    start, end = window["start"], window["end"]
    (key,) = pkg.primary_key(name)
    ev, file = tables[name], pkg.resource(name)["path"]
    skip = spec.get("skip")
    live = ev if not skip else ev[~ev[skip["field"]].astype("string").isin(skip["values"]).fillna(False)]
    live = live.sort_values([entity, start, end, key])
    group = live.groupby(entity, observed=True)
    prev_after = group[after_col].shift()
    first = prev_after.isna() & ~live.duplicated(entity)
    problems = []
    before = live[before_col].astype("string")
    for i in live.index[first & before.notna()]:
        problems.append(Problem(file, _line(i), before_col, str(before[i]), "chain",
                                f"the first row of a {entity} is its baseline and has no {before_col}"))
    for i in live.index[~first & before.isna()]:
        problems.append(Problem(file, _line(i), before_col, None, "chain",
                                f"only the first row of a {entity} may lack {before_col} (previous: {prev_after[i]})"))
    broken = ~first & before.notna() & (before != prev_after.astype("string"))
    for i in live.index[broken.fillna(False)]:
        problems.append(Problem(file, _line(i), before_col, str(before[i]), "chain",
                                f"previous row of {live.at[i, entity]} left it with {prev_after[i]!r}"))
    prev_end, prev_id = group[end].shift(), group[key].shift()
    for i in live.index[(live[end] < prev_end).fillna(False)]:
        problems.append(Problem(file, _line(i), end, str(live.at[i, end].date()), "window-order",
                                f"window lies inside the window of the previous change {prev_id[i]} (which ends "
                                f"{prev_end[i].date()}), so no reading of the dates keeps the order of the chain; "
                                f"narrow {prev_id[i]}'s window to end by {live.at[i, end].date()}"))
    if "baseline" in spec:
        col, value = spec["baseline"]["field"], spec["baseline"]["value"]
        for i in live.index[(live[col].astype("string") == value).fillna(False) & ~first]:
            problems.append(Problem(file, _line(i), col, value, "chain",
                                    f"a {value} row must be the first row of its {entity}; a later check of the "
                                    f"holder is an observation"))
    if "steady" in spec:
        # an observation confirms the holder mid-chain: it changes nothing, so before equals after
        col, value = spec["steady"]["field"], spec["steady"]["value"]
        steady = (live[col].astype("string") == value).fillna(False)
        for i in live.index[steady & first]:
            problems.append(Problem(file, _line(i), col, value, "chain",
                                    f"an {value} row cannot be the first row of its {entity} (that is the baseline)"))
        moved = steady & ~first & (before != live[after_col].astype("string")).fillna(True)
        for i in live.index[moved]:
            problems.append(Problem(file, _line(i), after_col, str(live.at[i, after_col]), "chain",
                                    f"an {value} row changes nothing: {after_col} must equal {before_col} "
                                    f"({before[i]!r})"))
    if "entities" in spec:
        ref = spec["entities"]
        known = set(tables[ref["resource"]][ref["field"]].dropna().astype(str))
        without = sorted(known - set(live[entity].astype(str)))
        problems += [Problem(pkg.resource(ref["resource"])["path"], None, ref["field"], p, "no-events",
                             f"has no rows in {name} (not even a baseline)") for p in without]
    return problems


def check_crossing_types(pkg: Package, tables: Tables) -> list[Problem]:
    """Rows point at rows of another table of an allowed kind (``x-referenced-kind``), e.g. the
    rows of ``crossings`` at places typed as crossings."""
    problems = []
    for name, spec in declared("x-referenced-kind")(pkg):
        ref = tables[spec["resource"]]
        kinds_of = ref.set_index(ref[spec["referenceField"]].astype("string"))[spec["kindField"]].astype("string")
        frame = tables[name]
        kinds = frame[spec["field"]].astype("string").map(kinds_of)
        bad = kinds.notna() & ~kinds.isin(spec["allowed"])
        problems += [Problem(pkg.resource(name)["path"], _line(i), spec["field"], str(frame.at[i, spec["field"]]),
                             "crossing-type" if name == "crossings" else "referenced-kind",
                             f"{spec['kindField']} is {kinds[i]!r}, not one of {', '.join(spec['allowed'])}")
                     for i in frame.index[bad]]
    return problems


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
    from ..errors import UsageError
    from ..outlines import OUTLINE_NAME, distance_outside_km

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


def _trailing_space_lines(data: bytes) -> list[int]:
    """Numbers (from 1) of the lines of ``data`` (split at every LF) that end with a space or tab."""
    ends = []  # offsets of the LF (or the end of data) after a space or tab; bytes.find is a fast scan
    for pattern in (b" \n", b"\t\n"):
        at = data.find(pattern)
        while at >= 0:
            ends.append(at + 1)
            at = data.find(pattern, at + 1)
    if data.endswith((b" ", b"\t")):
        ends.append(len(data))
    ends.sort()
    if not ends:
        return []
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    return (np.searchsorted(newlines, ends) + 1).tolist()


def _is_sorted(keys: pd.DataFrame) -> bool:
    """Whether the rows are in the order a stable sort by every column would give (text order)."""
    if keys.isna().to_numpy().any():  # where missing values sort is pandas' business: ask it
        return keys.equals(keys.sort_values(list(keys.columns)).set_axis(keys.index))
    undecided = np.ones(max(len(keys) - 1, 0), dtype=bool)  # pairs equal on every column so far
    for col in keys.columns:
        a = keys[col].to_numpy(dtype=object)
        if (undecided & (a[1:] < a[:-1])).any():
            return False
        undecided &= ~(a[1:] > a[:-1])
    return True


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
        for n in _trailing_space_lines(data):
            problems.append(Problem(file, n, None, None, "trailing-space", "line ends with spaces"))
        pk = pkg.primary_key(name)
        keys = tables[name][pk].astype(str)  # text order, as `tidy` writes it (not category order)
        if pk and len(keys) and not _is_sorted(keys):
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


def check_required_if_empty(pkg: Package, tables: Tables) -> list[Problem]:
    """A field is required where another is empty (``x-required-if-empty``), e.g. a ``date_note``
    saying why a source has no ``date_published``."""
    problems = []
    for name, spec in declared("x-required-if-empty")(pkg):
        frame = tables[name]
        bad = frame[spec["empty"]].isna() & frame[spec["field"]].isna()
        problems += [Problem(pkg.resource(name)["path"], _line(i), spec["field"], None, spec.get("rule", "required-if-empty"),
                             f"required where {spec['empty']} is empty: say why") for i in frame.index[bad]]
    return problems


def _codes(values, index) -> np.ndarray:
    """Position of each value in ``index`` (-1 if absent or missing), on plain Python text."""
    arr = pd.Series(values).astype(object).to_numpy(dtype=object)
    idx = pd.Index(index, dtype=object)
    if idx.is_unique:
        found = idx.get_indexer(arr)
    else:  # a table failing its primary key: a value maps to the first row that has it
        codes, uniq = pd.factorize(idx)
        first = np.unique(codes, return_index=True)[1]
        found = pd.Index(uniq, dtype=object).get_indexer(arr)
        found = np.where(found >= 0, first[found], -1)
    return np.where(pd.isna(arr), -1, found)


def evidence_summary(pkg: Package, tables: Tables, name: str, spec: dict) -> pd.DataFrame:
    """Per row of ``name`` (a table declaring ``x-evidence-rules``): what its links and their sources support.

    Columns: ``naming`` (links whose evidence names the place), ``any_naming``, ``independent`` (a naming
    link whose source is not the media of the row's controller), ``independent_other`` (the same, not only
    from the ``notAlone`` originators such as Wikipedia), ``originators`` (distinct originators of naming
    links), ``party_only`` (all naming links from the media of one actor), ``mirror_only``, ``denied``.

    Vectorised: every link is mapped to its row and its source once (integer positions), and each
    column is one ``numpy.bincount`` over those positions; distinct originators are counted as
    distinct (row, originator) pairs. (A groupby over 3,000,000 links took 8.4 s; this takes 2.5 s.)
    """
    ls, ss = spec["links"], spec["sources"]
    rows = tables[name]
    (key,) = pkg.primary_key(name)
    # a key may be duplicated in a table that fails its primary key: such rows share one summary
    inv, keys = pd.factorize(rows[key].astype("string").astype(object).to_numpy())
    first = np.unique(inv, return_index=True)[1]           # the first row of each key
    n = len(keys)
    links, src = tables[ls["resource"]], tables[ss["resource"]]
    pos = _codes(links[ls["event"]], keys)                 # the key each link belongs to
    keep = pos >= 0
    pos = pos[keep]
    spos = _codes(links[ls["source"]], src[ss["key"]].astype("string").astype(object).to_numpy())[keep]
    ev = pd.Series(links[ls["evidence"]]).astype(object).to_numpy(dtype=object)[keep]
    known = spos >= 0

    def per_source(col, fill):
        vals = src[col].astype(object).to_numpy(dtype=object)
        out = np.full(len(spos), fill, dtype=object)
        out[known] = vals[spos[known]]
        return out

    orig, party = per_source(ss["originator"], None), per_source(ss["party"], None)
    orig = np.where(pd.isna(orig), None, orig)
    party = np.where(pd.isna(party), None, party)
    base = spec.get("baseline")
    values = (base.get("values") or [base.get("value")]) if base else []
    is_base = (rows[base["field"]].astype("string").isin(values).fillna(False).to_numpy(bool)[first] if base
               else np.zeros(n, bool))
    names = spec["namesPlace"]
    ev_idx = pd.Index(ev, dtype=object)
    in_base = ev_idx.isin(list(names.get("baseline", []))) if "baseline" in names else np.zeros(len(ev), bool)
    in_change = ev_idx.isin(list(names.get("change", []))) if "change" in names else np.zeros(len(ev), bool)
    naming = np.where(is_base[pos], in_base, in_change)
    ctrl = rows[spec["controller"]].astype(object).to_numpy(dtype=object)
    ctrl = np.where(pd.isna(ctrl), None, ctrl)[first][pos]
    has_party = party != None  # noqa: E711  (element-wise)
    indep = naming & (~has_party | (ctrl == None) | (party != ctrl))  # noqa: E711
    alone = set(spec.get("notAlone", {}).get("originators", []))
    indep_other = indep & ~pd.Index(orig, dtype=object).isin(list(alone))
    named_any = ~ev_idx.isin(list(spec.get("areaOnly", [])))
    denied_ev = spec.get("denied", {}).get("evidence")
    denies = (ev == denied_ev) if denied_ev is not None else np.zeros(len(ev), bool)

    def count(mask):
        return np.bincount(pos[mask], minlength=n)

    def distinct(mask, labels):
        """Distinct non-missing labels per row among the links in ``mask``."""
        m = mask & (labels != None)  # noqa: E711
        if not m.any():
            return np.zeros(n, dtype=np.int64)
        codes, _ = pd.factorize(pd.Index(labels[m], dtype=object))
        pair = np.unique(pos[m].astype(np.int64) * (codes.max() + 1) + codes)
        return np.bincount(pair // (codes.max() + 1), minlength=n)

    out = pd.DataFrame(index=pd.Index(keys, dtype=object))
    n_naming = count(naming)
    out["links"] = np.bincount(pos, minlength=n)
    out["naming"] = n_naming
    out["any_naming"] = count(named_any) > 0
    out["independent"] = count(indep) > 0
    out["independent_other"] = count(indep_other) > 0
    out["originators"] = distinct(naming, orig)
    out["party_only"] = (n_naming > 0) & (count(naming & ~has_party) == 0) & (distinct(naming, party) == 1)
    if "is_mirror" in src.columns:
        flags = src["is_mirror"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        mirror = np.zeros(len(spos), dtype=bool)
        mirror[known] = flags[spos[known]]
        out["mirror_only"] = (n_naming > 0) & (count(naming & ~mirror) == 0)
    out["denied"] = count(denies) > 0
    out = out.iloc[inv]
    out.index = rows[key].astype("string")
    return out


def check_evidence(pkg: Package, tables: Tables) -> list[Problem]:
    """Every row is as strong as its evidence, for every resource declaring ``x-evidence-rules``.

    The thresholds are data (see the resource's description): what a ``confirmed`` row needs, how
    many distinct originators a ``high`` row needs, the most a row no source names may claim, party
    media alone, denials and the sources (Wikipedia) that never confirm a row alone.
    """
    problems = []
    for name, spec in declared("x-evidence-rules")(pkg):
        rows, file = tables[name], pkg.resource(name)["path"]
        summary = evidence_summary(pkg, tables, name, spec)
        problems += _evidence_problems(rows, file, summary, spec)
    return problems


def _evidence_problems(rows: pd.DataFrame, file: str, summary: pd.DataFrame, spec: dict) -> list[Problem]:
    """The rules of ``check_evidence`` as masks over all rows; problems in row order, then rule order."""
    status_col, conf_col = spec["status"], spec["confidence"]
    order = {v: i for i, v in enumerate(spec["confidenceOrder"])}
    skip = spec.get("skip")
    status = rows[status_col].astype(object).map(str).to_numpy(dtype=object)  # str(), as "<NA>" for a missing cell
    conf = rows[conf_col].astype(object).map(str).to_numpy(dtype=object)
    live = np.ones(len(rows), dtype=bool)
    if skip:
        live &= ~np.isin(rows[skip["field"]].astype(object).map(str).to_numpy(dtype=object), list(skip["values"]))
    col = lambda c: summary[c].to_numpy()  # noqa: E731  (summary rows are in the order of rows)
    independent, party_only = col("independent").astype(bool), col("party_only").astype(bool)
    found = []  # (row position, rule position, column, value, rule, message)

    def add(mask, k, column, values, rule, message):
        for j in np.flatnonzero(mask & live):
            found.append((j, k, column, values[j], rule, message(j) if callable(message) else message))

    confirmed = spec["confirmed"]["value"]
    is_confirmed = status == confirmed
    add(is_confirmed & ~independent, 0, status_col, status, spec["confirmed"]["rule"],
        "no source names the place (and this change) that is not the media of the actor in control")
    if "notAlone" in spec:
        add(is_confirmed & independent & ~col("independent_other").astype(bool), 0, status_col, status,
            spec["notAlone"]["rule"],
            f"only {', '.join(spec['notAlone']['originators'])} names the place: it cannot confirm a row alone")
    if "partyOnly" in spec:
        add(is_confirmed & independent & party_only, 1, status_col, status, spec["partyOnly"]["rule"],
            "every source naming the place is the media of one actor: the row is a claim")
    high = spec.get("high")
    if high:
        originators = col("originators")
        add((conf == high["value"]) & (originators < high["minOriginators"]), 2, conf_col, conf, high["rule"],
            lambda j: f"{int(originators[j])} distinct originator(s) name the place; "
                      f"{high['value']} needs {high['minOriginators']}")
    cap = spec.get("areaOnlyMax")
    if cap:
        unnamed = ~col("any_naming").astype(bool)
        above = np.array([c in order and order[c] > order[cap["confidence"]] for c in conf], dtype=bool)
        add(unnamed & above, 3, conf_col, conf, cap["rule"], f"no source names the place: at most {cap['confidence']}")
        add(unnamed & is_confirmed, 4, status_col, status, cap["rule"], "no source names the place: it cannot be confirmed")
    den = spec.get("denied")
    if den:
        flagged = col("denied").astype(bool) & ~np.isin(status, list(den["allowed"]))
        if spec.get("notes"):
            notes = rows[spec["notes"]].astype("string").fillna("")
            flagged &= ~notes.str.contains(den["settledMarker"], regex=False).to_numpy(dtype=bool)
        add(flagged, 5, status_col, status, den["rule"], f"a source denies the row: it is {' or '.join(den['allowed'])} "
                                                         f"unless the notes say '{den['settledMarker']} ...' why")
    found.sort(key=lambda f: (f[0], f[1]))
    return [Problem(file, _line(rows.index[j]), column, value, rule, message)
            for j, _, column, value, rule, message in found]


ALL_CHECKS += [check_required_if_empty, check_evidence]
