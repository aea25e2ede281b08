"""The ``syriadata`` command: validate, info, tidy, qa and report."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_validate(args) -> int:
    from .problems import format_problems
    from .validate import validate_package

    problems = validate_package(args.dir)
    where = args.dir or "bundled package"
    if problems:
        print(f"{where}: INVALID", file=sys.stderr)
        print(format_problems(problems, limit=args.limit), file=sys.stderr)
        return 1
    print(f"{where}: valid")
    return 0


def _cmd_info(args) -> int:
    from .descriptor import read_package
    from .loaders import load

    pkg = read_package(args.dir)
    print(f"{pkg.descriptor['name']} {pkg.version}  ({pkg.root})")
    print(f"licence: {', '.join(l['name'] for l in pkg.descriptor.get('licenses', []))}")
    width = max(map(len, pkg.table_names))
    for name in pkg.table_names:
        print(f"  {name:<{width}}  {len(load(name, root=args.dir)):>6} rows")
    return 0


def _cmd_tidy(args) -> int:
    from .tidy import tidy_package

    changed = tidy_package(args.dir)
    print(f"rewrote {len(changed)} file(s): {', '.join(changed) or '-'}; hashes refreshed")
    return 0


def _cmd_qa(args) -> int:
    from .qa import quality_report

    print(quality_report(root=args.dir), end="")
    return 0


def _cmd_report(args) -> int:
    from .report import build_report

    build_report(Path(args.out), root=args.dir)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="syriadata", description="Syrian territorial-control data package.")
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
    p.set_defaults(func=_cmd_report)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, KeyError) as err:
        print(f"syriadata {args.command}: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # a data error should read as a report, not a traceback
        from .problems import DataValidationError

        if isinstance(err, DataValidationError):
            print(f"syriadata {args.command}: the data is invalid; run `syriadata validate`.\n{err}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
