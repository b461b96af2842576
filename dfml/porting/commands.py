"""The ``dfml check`` and ``dfml port`` commands (``dfml.cli`` parses, these run)."""

from __future__ import annotations

import argparse
import sys
from typing import Callable

from .sources import SourceError, find_scripts, kind_of


def add_parsers(sub) -> None:
    """Add ``check`` and ``port`` to ``dfml``'s subcommands."""
    c = sub.add_parser("check", help="report what PySpark code uses and whether dfml has it",
                       description="Scan .py files, .ipynb notebooks, shell scripts calling "
                       "spark-submit and spark-defaults.conf files (never running them) for uses of "
                       "PySpark's API; exit 1 when something is missing from dfml.")
    c.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to scan")
    c.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    c.add_argument("--missing-only", action="store_true",
                   help="text output: list only the sites that are not plainly supported")
    p = sub.add_parser("port", help="rewrite pyspark imports to dfml (a diff, or --write)",
                       description="Rewrite the pyspark imports of .py files and notebooks to "
                       "dfml, leaving every other line as it is; print a unified diff unless "
                       "--write is given.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to rewrite")
    p.add_argument("--write", action="store_true", help="edit the files in place")


def check(ns: argparse.Namespace) -> Callable[[], int]:
    from .check import check_paths
    from .report import format_json, format_text

    try:
        find_scripts(ns.paths)
    except SourceError as e:
        raise UsageFailure(str(e)) from None

    def run() -> int:
        report = check_paths(ns.paths)
        if ns.format == "json":
            print(format_json(report))
        else:
            print(format_text(report, show_supported=not ns.missing_only))
        return report.exit_code()
    return run


def port(ns: argparse.Namespace) -> Callable[[], int]:
    from .resolver import is_module
    from .rewriter import port_file, unified_diff

    try:  # shell scripts and spark-defaults.conf are checked, not rewritten
        files = [p for p in find_scripts(ns.paths) if kind_of(p) in ("python", "notebook")]
    except SourceError as e:
        raise UsageFailure(str(e)) from None

    def run() -> int:
        status = 0
        for path in files:
            try:
                old, new, notes, encoding = port_file(path, is_module)
            except (SyntaxError, ValueError, OSError) as e:
                print(f"dfml port: {path}: cannot rewrite ({e})", file=sys.stderr)
                status = 1
                continue
            for note in notes:
                print(f"dfml port: {note}", file=sys.stderr)
            if new == old:
                continue
            if ns.write:
                with open(path, "w", encoding=encoding, newline="") as f:
                    f.write(new)
                print(f"rewrote {path}", file=sys.stderr)
            else:
                sys.stdout.write(unified_diff(path, old, new))
        return status
    return run


class UsageFailure(ValueError):
    """A command line ``dfml check``/``port`` cannot act on (a path that does not exist)."""
