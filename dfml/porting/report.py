"""Printing a ``dfml check`` report: text for people, JSON for CI."""

from __future__ import annotations

import json

from .check import Report
from .resolver import DIFFERENCE, MISSING, SUPPORTED


def where(site) -> str:
    return f"cell {site.cell}, {site.line}:{site.col}" if site.cell else f"{site.line}:{site.col}"


def summary_line(report: Report) -> str:
    total = report.total
    ok = report.count(SUPPORTED) + report.count(DIFFERENCE)
    ratio = f"{100 * ok / total:.1f}%" if total else "100%"
    line = (f"{len(report.files)} file(s), {total} use(s) of PySpark's API: {ok}/{total} "
            f"supported ({ratio}), {report.count(DIFFERENCE)} of them with a documented "
            f"difference; {report.count(MISSING)} missing")
    if report.errors:
        line += f"; {report.errors} file(s) or cell(s) could not be read"
    return line


def format_text(report: Report, show_supported: bool = True) -> str:
    """Sites grouped by file: ``line:col  status  api`` and the difference or reason below."""
    out = []
    for f in report.files:
        rows = [(s, v) for s, v in f.sites if show_supported or v.status != SUPPORTED]
        if not rows and not f.errors:
            continue
        out.append(f.path)
        out.extend(f"  error: {e}" for e in f.errors)
        for s, v in rows:
            out.append(f"  {where(s):<15} {v.status:<10} {s.api}")
            if v.note:
                out.append(f"  {'':<15} {'':<10} {v.note}")
        out.append("")
    out.append(summary_line(report))
    return "\n".join(out)


def to_json(report: Report) -> dict:
    """The report as plain data (the shape ``--format json`` prints)."""
    total = report.total
    ok = report.count(SUPPORTED) + report.count(DIFFERENCE)
    return {
        "files": [{
            "path": f.path,
            "errors": list(f.errors),
            "sites": [{"line": s.line, "col": s.col, "cell": s.cell or None, "kind": s.kind,
                       "api": s.api, "status": v.status, "note": v.note}
                      for s, v in f.sites],
        } for f in report.files],
        "summary": {"files": len(report.files), "sites": total,
                    "supported": report.count(SUPPORTED),
                    "difference": report.count(DIFFERENCE),
                    "missing": report.count(MISSING), "errors": report.errors,
                    "ratio": round(ok / total, 4) if total else 1.0},
    }


def format_json(report: Report) -> str:
    return json.dumps(to_json(report), indent=2)


def differences_markdown(differences=None) -> str:
    """The known differences as a markdown list: docs/porting.md embeds this text, and a test
    keeps the two equal, so the page and ``dfml check`` cannot disagree."""
    from .resolver import load_differences

    lines = []
    for d in load_differences() if differences is None else differences:
        names = ", ".join(f"`{p}`" for p in d.patterns)
        flag = " (reported as missing)" if d.status == MISSING else ""
        lines.append(f"- {names}{flag}: {d.text}")
    return "\n".join(lines) + "\n"
