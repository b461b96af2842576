"""MkDocs hooks: the parts of the site generated from dfml itself at build time.

The known differences come from ``dfml/porting/differences.toml``, the file ``dfml check`` reads,
so the site cannot drift from what the checker reports: every page holding the
``<!-- differences:start -->``/``<!-- differences:end -->`` markers gets the list regenerated
between them (docs/porting.md keeps a committed copy that a test compares), and the page holding
``<!-- differences-table -->`` gets the same entries as a table grouped by area.
"""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START, END, TABLE = "<!-- differences:start -->", "<!-- differences:end -->", "<!-- differences-table -->"


def _dfml_first() -> None:
    """Import the dfml of this checkout, not another one installed in the environment."""
    if sys.path[:1] != [ROOT]:
        sys.path.insert(0, ROOT)


def _area(patterns: tuple[str, ...]) -> str:
    if all(p.startswith("spark.") for p in patterns):
        return "Settings"
    ml = ("pyspark.ml", "*Model", "Pipeline")
    if any(p.startswith(ml) or "(" in p or "Model." in p for p in patterns):
        return "ML pipelines"
    return "DataFrames and SQL"


def differences_table() -> str:
    """The known differences as markdown tables, one per area, in the file's order."""
    _dfml_first()
    from dfml.porting.resolver import MISSING, load_differences

    areas: dict[str, list[str]] = {"DataFrames and SQL": [], "Settings": [], "ML pipelines": []}
    for d in load_differences():
        names = "<br>".join(f"`{p}`" for p in d.patterns)
        status = "missing" if d.status == MISSING else "difference"
        text = d.text.replace("|", "\\|")
        areas[_area(d.patterns)].append(f"| {names} | {status} | {text} |")
    out = []
    for area, rows in areas.items():
        if rows:
            out += [f"## {area}", "", "| API | `dfml check` reports | what differs |",
                    "| --- | --- | --- |", *rows, ""]
    return "\n".join(out)


def on_page_markdown(markdown: str, page, config, files) -> str:
    if START in markdown and END in markdown:
        _dfml_first()
        from dfml.porting.report import differences_markdown

        head, rest = markdown.split(START, 1)
        markdown = head + START + "\n" + differences_markdown() + END + rest.split(END, 1)[1]
    if TABLE in markdown:
        markdown = markdown.replace(TABLE, differences_table())
    return markdown
