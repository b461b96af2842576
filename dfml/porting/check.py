"""``dfml check``: scan scripts, classify every site against dfml, summarize."""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field

from .resolver import DIFFERENCE, MISSING, SUPPORTED, Resolver, Verdict, is_module, lookup
from .scanner import Scanner, Site
from .sources import SourceError, find_scripts, kind_of, read_chunks, read_text
from .submit_scan import scan_properties, scan_shell


@dataclass
class FileReport:
    """The sites of one file with their verdicts, or the errors that kept parts of it unread."""

    path: str
    sites: list[tuple[Site, Verdict]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Report:
    files: list[FileReport]

    def count(self, status: str) -> int:
        return sum(v.status == status for f in self.files for _, v in f.sites)

    @property
    def total(self) -> int:
        return sum(len(f.sites) for f in self.files)

    @property
    def errors(self) -> int:
        return sum(len(f.errors) for f in self.files)

    def exit_code(self) -> int:
        """2 when a file could not be read or parsed, 1 when something is missing, else 0."""
        if self.errors:
            return 2
        return 1 if self.count(MISSING) else 0


def submit_flags() -> dict[str, bool]:
    from ..cli import submit_flags as flags
    return flags()


def _known(qualname: str) -> bool:
    return lookup(qualname) is not None


def check_file(path: str, resolver: Resolver) -> FileReport:
    """Scan one ``.py`` or ``.ipynb`` file (a cell that does not parse is reported, not fatal)."""
    report = FileReport(path)
    kind = kind_of(path)
    if kind in ("shell", "properties"):
        try:
            text = read_text(path)
        except SourceError as e:
            report.errors.append(str(e))
            return report
        sites = scan_shell(text, submit_flags()) if kind == "shell" else scan_properties(text)
        report.sites = [(s, resolver.classify(s)) for s in sites]
        return report
    try:
        chunks = read_chunks(path)
    except SourceError as e:
        report.errors.append(str(e))
        return report
    trees = []
    for chunk in chunks:
        try:
            trees.append((chunk.cell, ast.parse(chunk.text, filename=path)))
        except SyntaxError as e:
            where = f"cell {chunk.cell}, line {e.lineno}" if chunk.cell else f"line {e.lineno}"
            report.errors.append(f"{path}: {where}: cannot parse ({e.msg})")
        except (RecursionError, MemoryError, ValueError) as e:  # too deep, or NUL bytes
            where = f"cell {chunk.cell}: " if chunk.cell else ""
            report.errors.append(f"{path}: {where}cannot parse ({type(e).__name__}: {e})")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 8000))  # long method chains and `a + b + ...` nest deeply
    try:
        sites = Scanner(is_module, _known).scan(trees)
    except RecursionError:
        report.errors.append(f"{path}: too deeply nested to scan")
        return report
    finally:
        sys.setrecursionlimit(limit)
    report.sites = [(s, resolver.classify(s)) for s in sites]
    return report


def check_paths(paths: list[str], resolver: Resolver | None = None) -> Report:
    """Check every script under ``paths``; a path that does not exist raises ``SourceError``."""
    resolver = resolver or Resolver()
    return Report([check_file(p, resolver) for p in find_scripts(paths)])


__all__ = ["check_paths", "check_file", "Report", "FileReport", "SUPPORTED", "DIFFERENCE",
           "MISSING"]
