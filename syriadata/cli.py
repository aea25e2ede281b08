"""The ``syriadata`` command: validate, info, at, tidy, qa, report, explore, diff, release, export, cite, codebook."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


class _Version(argparse.Action):
    """``--version``: the installed package's version, read only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from .contract.descriptor import read_package

        print(f"syriadata {read_package().version}")
        parser.exit()


def _cmd_validate(args) -> int:
    from .contract.problems import format_problems
    from .contract.validate import validate_package

    problems = validate_package(args.dir)
    where = args.dir or "bundled package"
    if problems:
        print(f"{where}: INVALID", file=sys.stderr)
        print(format_problems(problems, limit=args.limit), file=sys.stderr)
        return 1
    print(f"{where}: valid")
    return 0


def _cmd_info(args) -> int:
    """Version, licence, coverage and row counts, from the descriptor and the files (no validation)."""
    from .contract.summary import summarise

    info = summarise(args.dir)
    print(f"{info['name']} {info['version']}  ({info['root']})")
    print(f"licence: {', '.join(info['licenses'])}")
    cov = info.get("coverage") or {}
    if cov.get("start"):
        print(f"coverage: {cov['start']} (first baseline) to {cov['end']} (last sourced day)")
    width = max(map(len, info["tables"]))
    for name, rows in info["tables"].items():
        print(f"  {name:<{width}}  {rows:>6} rows")
    return 0


def _state_on(date, reading: str, root, country=None) -> "tuple":
    """Every place's controller on ``date`` with its name, coordinates and the controller's name;
    CoverageWarnings become one line on stderr."""
    import warnings

    from .engine.control import CoverageWarning, control_at
    from .loaders import load

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CoverageWarning)
        snap = control_at(date, resolve=reading, root=root, country=country)
    for w in caught:
        if issubclass(w.category, CoverageWarning):
            print(f"warning: {w.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    places = load("places", root=root)
    actors = load("actors", root=root)
    names = dict(zip(actors["actor_id"].astype(str), actors["name"].astype(str)))
    state = places[["place_id", "name", "latitude", "longitude"]].merge(
        snap[["place_id", "controller", "uncertain", "controller_alternative"]], on="place_id", how="left")
    state["place_id"] = state["place_id"].astype(str)
    state["controller"] = state["controller"].astype("string")
    state.insert(state.columns.get_loc("controller") + 1, "controller_name",
                 state["controller"].map(names, na_action="ignore").astype("string"))
    state["uncertain"] = state["uncertain"].fillna(False).astype(bool)
    return state.sort_values("place_id").reset_index(drop=True)


def _cmd_at(args) -> int:
    import json

    state = _state_on(args.date, args.reading, args.dir, args.country)
    if args.format == "csv":
        state.to_csv(sys.stdout, index=False, float_format="%.5f")
    elif args.format == "geojson":
        from .releases.export import places_geojson

        collection = places_geojson(state)
        collection["date"], collection["reading"] = args.date, args.reading
        if collection["missing"]:
            print(f"{len(collection['missing'])} place(s) without coordinates left out (listed in \"missing\")",
                  file=sys.stderr)
        print(json.dumps(collection, ensure_ascii=False))
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 40):
            print(f"state at the end of {args.date} ({args.reading} reading of date windows)")
            print(state.to_string(index=False, float_format=lambda v: f"{v:.5f}"))
    return 0


def _cmd_explore(args) -> int:
    from .explore import write_explorer

    path = write_explorer(Path(args.out), root=args.dir, country=args.country)
    print(f"wrote {path / 'index.html'}  ({(path / 'index.html').stat().st_size:,} bytes)")
    return 0


def _cmd_tidy(args) -> int:
    from .contract.tidy import tidy_package

    changed = tidy_package(args.dir)
    print(f"rewrote {len(changed)} file(s): {', '.join(changed) or '-'}; hashes refreshed")
    return 0


def _cmd_qa(args) -> int:
    from .contract.qa import quality_report

    print(quality_report(root=args.dir), end="")
    return 0


def _cmd_report(args) -> int:
    from .report.build import build_report

    build_report(Path(args.out), root=args.dir, studies=args.study)
    return 0


def _cmd_diff(args) -> int:
    import tempfile

    from .releases.diff import diff_packages, format_diff, resolve

    with tempfile.TemporaryDirectory() as tmp:
        d = diff_packages(resolve(args.old, Path(tmp)), resolve(args.new, Path(tmp)))
        print(format_diff(d, limit=args.limit, markdown=args.markdown), end="")
    return 0 if d.is_enough() or not args.check else 1


def _cmd_release(args) -> int:
    import hashlib

    from .releases.archives import build_release

    path = build_release(args.out, root=args.dir)
    print(f"{path}  sha256:{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.stat().st_size} bytes")
    return 0


def _cmd_export(args) -> int:
    from .releases.export import export_package

    print(f"wrote {export_package(args.out, args.format, root=args.dir)}")
    return 0


def _cmd_cite(args) -> int:
    from .releases.cite import cite
    from .loaders import load

    frame = None
    if args.place or args.event:
        events = load("control_events", root=args.dir)
        _known_or_suggest("place", args.place or [], load("places", root=args.dir)["place_id"])
        _known_or_suggest("event", args.event or [], events["event_id"])
        keep = events["place_id"].isin(args.place or []) | events["event_id"].isin(args.event or [])
        frame = events[keep]
    print(cite(frame, style=args.format, root=args.dir), end="")
    return 0


def _known_or_suggest(kind: str, asked: list[str], known) -> None:
    """UsageError naming each unknown id with the closest known ones (difflib), instead of an empty answer."""
    import difflib

    from .errors import UsageError

    known = sorted(set(map(str, known)))
    problems = []
    for value in asked:
        if value not in known:
            close = difflib.get_close_matches(value, known, n=5, cutoff=0.6) or \
                difflib.get_close_matches(value.lower().replace(" ", "_").replace("-", "_"), known, n=5, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; see the {kind} ids in `syriadata info`'s tables"
            problems.append(f"unknown {kind} id {value!r}{hint}")
    if problems:
        raise UsageError("; ".join(problems))


def _cmd_codebook(args) -> int:
    from .contract.codebook import codebook

    print(codebook(args.dir), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="syriadata", description="Syrian territorial-control data package.")
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a data package folder; report every problem")
    p.add_argument("dir", nargs="?", help="package folder (default: the bundled package)")
    p.add_argument("--limit", type=int, default=None, help="show at most this many problems")
    p.set_defaults(func=_cmd_validate)
    p = sub.add_parser("info", help="version, tables and row counts")
    p.add_argument("dir", nargs="?")
    p.set_defaults(func=_cmd_info)
    p = sub.add_parser("at", help="the state on a day: every place, its coordinates, controller and uncertainty")
    p.add_argument("date", help="the day, YYYY-MM-DD (the state at the end of that day)")
    p.add_argument("--format", choices=["table", "csv", "geojson"], default="table")
    p.add_argument("--reading", choices=["earliest", "latest"], default="latest",
                   help="which end of a change's date window it counts from (default: latest)")
    p.add_argument("--dir", default=None, help="package folder (default: the bundled package)")
    p.add_argument("--country", default=None, metavar="ISO3",
                   help="only this country's places, with its own coverage (ISO 3166-1 alpha-3, e.g. SYR)")
    p.set_defaults(func=_cmd_at)
    p = sub.add_parser("tidy", help="sort and normalise the CSVs, refresh sizes and hashes in the descriptor")
    p.add_argument("dir", nargs="?")
    p.set_defaults(func=_cmd_tidy)
    p = sub.add_parser("qa", help="coverage and quality report (Markdown)")
    p.add_argument("dir", nargs="?")
    p.set_defaults(func=_cmd_qa)
    p = sub.add_parser("report", help="rebuild every table and figure and the HTML report")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--dir", default=None, help="package folder (default: the bundled package)")
    p.add_argument("--study", action="append", metavar="EPISODE_ID",
                   help="episode to study (repeatable; default: the package's default studies)")
    p.set_defaults(func=_cmd_report)
    p = sub.add_parser("explore", help="write the explorer: one offline HTML page (map, date slider, sources)")
    p.add_argument("--out", required=True, help="output folder (index.html is written there)")
    p.add_argument("--dir", default=None, help="package folder (default: the bundled package)")
    p.add_argument("--country", default=None, metavar="ISO3",
                   help="country to show (ISO 3166-1 alpha-3; default: the default study's country)")
    p.set_defaults(func=_cmd_explore)
    p = sub.add_parser("diff", help="rows and schema changed between two versions (folders, archives or version numbers)")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--limit", type=int, default=50, help="rows listed per kind of change and table")
    p.add_argument("--markdown", action="store_true", help="Markdown, for CHANGELOG.md")
    p.add_argument("--check", action="store_true", help="exit 1 if the version was not bumped enough")
    p.set_defaults(func=_cmd_diff)
    p = sub.add_parser("release", help="release archives")
    rsub = p.add_subparsers(dest="action", required=True)
    q = rsub.add_parser("build", help="write a byte-reproducible release archive")
    q.add_argument("--out", default="releases")
    q.add_argument("--dir", default=None)
    q.set_defaults(func=_cmd_release)
    p = sub.add_parser("export", help="every table as csv, parquet or xlsx, or the places as geojson, with the descriptor")
    p.add_argument("--format", choices=["csv", "parquet", "xlsx", "geojson"], required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--dir", default=None)
    p.set_defaults(func=_cmd_export)
    p = sub.add_parser("cite", help="how to cite, with the upstream sources of chosen rows")
    p.add_argument("--format", choices=["text", "bibtex"], default="text")
    p.add_argument("--place", action="append", help="cite the sources of this place's events (repeatable)")
    p.add_argument("--event", action="append", help="cite the sources of this event (repeatable)")
    p.add_argument("--dir", default=None)
    p.set_defaults(func=_cmd_cite)
    p = sub.add_parser("codebook", help="the codebook (Markdown) generated from the descriptor")
    p.add_argument("dir", nargs="?")
    p.set_defaults(func=_cmd_codebook)
    args = parser.parse_args(argv)
    from .errors import SyriadataError
    from .contract.problems import DataValidationError

    # Only the package's own errors are a user's to fix: they end in a message and exit status 1.
    # Anything else is a bug and keeps its traceback.
    try:
        return args.func(args)
    except BrokenPipeError:  # `syriadata at ... | head`: the reader stopped; not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except DataValidationError as err:
        print(f"syriadata {args.command}: the data is invalid; run `syriadata validate`.\n{err}", file=sys.stderr)
        return 1
    except SyriadataError as err:
        print(f"syriadata {args.command}: {err}", file=sys.stderr)
        return 1

if __name__ == "__main__":
    sys.exit(main())
