"""The ``syriadata`` command: validate, info, tidy, qa, report, diff, release, export, cite, codebook."""
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
    from .contract.descriptor import read_package
    from .loaders import load

    pkg = read_package(args.dir)
    print(f"{pkg.descriptor['name']} {pkg.version}  ({pkg.root})")
    print(f"licence: {', '.join(l['name'] for l in pkg.descriptor.get('licenses', []))}")
    width = max(map(len, pkg.table_names))
    for name in pkg.table_names:
        print(f"  {name:<{width}}  {len(load(name, root=args.dir)):>6} rows")
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
        keep = events["place_id"].isin(args.place or []) | events["event_id"].isin(args.event or [])
        frame = events[keep]
    print(cite(frame, style=args.format, root=args.dir), end="")
    return 0


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
    p = sub.add_parser("export", help="every table as csv, parquet or xlsx, with the descriptor")
    p.add_argument("--format", choices=["csv", "parquet", "xlsx"], required=True)
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
    except DataValidationError as err:
        print(f"syriadata {args.command}: the data is invalid; run `syriadata validate`.\n{err}", file=sys.stderr)
        return 1
    except SyriadataError as err:
        print(f"syriadata {args.command}: {err}", file=sys.stderr)
        return 1

if __name__ == "__main__":
    sys.exit(main())
