"""Settings outside Python: ``spark-submit`` command lines in shell scripts, and
``spark-defaults.conf``-style properties files.

A team's jobs are often launched by a script such as ``spark-submit --master yarn
--num-executors 10 --conf spark.sql.shuffle.partitions=400 job.py``: its flags, master URL and
settings are part of what has to port, so they become sites like the ones in Python code (a flag
is checked against ``dfml submit``'s own parser, a master URL against dfml's parser of them).
"""

from __future__ import annotations

import re

from .scanner import Site

# spark-submit's flags that take no value (everything else takes one).
SPARK_SWITCHES = {"--verbose", "-v", "--supervise", "--help", "-h", "--version", "--usage-error"}
_TOKEN = re.compile(r"""(?:[^\s'"]+|'[^']*'|"[^"]*")+""")
_END = {";", "&&", "||", "|", "&"}


def _unquote(token: str) -> str:
    return re.sub(r"""'([^']*)'|"([^"]*)\"""", lambda m: m.group(1) or m.group(2) or "", token)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def scan_shell(text: str, takes_value: dict[str, bool]) -> list[Site]:
    """Sites of every ``spark-submit`` invocation in a shell script (``takes_value``: dfml
    submit's flags, to know which of them read the next word)."""
    # A backslash-newline continues the command: blank both characters so offsets still match.
    joined = text.replace("\\\n", "  ")
    sites = []
    for line_match in re.finditer(r"[^\n]+", joined):
        start = line_match.start()
        tokens = [(m.start() + start, m.group()) for m in _TOKEN.finditer(line_match.group())]
        i = 0
        while i < len(tokens):
            if tokens[i][1].rsplit("/", 1)[-1] != "spark-submit":
                i += 1
                continue
            i = _command(text, tokens, i + 1, takes_value, sites)  # same offsets
    return sorted(sites)


def _command(text, tokens, i, takes_value, sites) -> int:
    def add(offset, kind, name, target):
        line, col = _position(text, offset)
        sites.append(Site(0, line, col, kind, name, target))

    while i < len(tokens):
        offset, tok = tokens[i]
        if tok in _END or not tok.startswith("-"):
            return i + 1  # the application (or the end of the command): its arguments are its own
        flag, eq, inline = tok.partition("=")
        add(offset, "submit", f"spark-submit {flag}", ("flag", flag))
        value, value_at = None, offset + len(flag) + 1
        if eq:
            value = _unquote(inline)
        elif takes_value.get(flag, flag not in SPARK_SWITCHES) and i + 1 < len(tokens):
            i += 1
            value_at, value = tokens[i][0], _unquote(tokens[i][1])
        if value is not None and flag in ("--conf", "-c") and "=" in value:
            key = value.split("=", 1)[0].strip()
            add(value_at, "conf", key, ("conf", key))
        elif value is not None and flag == "--master":
            add(value_at, "master", value, ("master", value))
        i += 1
    return i


def scan_properties(text: str) -> list[Site]:
    """Sites of a ``spark-defaults.conf`` file (``key value`` or ``key=value`` lines)."""
    sites = []
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "!")):
            continue
        key = re.split(r"[\s=:]", stripped, maxsplit=1)[0]
        col = line.index(key) + 1
        sites.append(Site(0, n, col, "conf", key, ("conf", key)))
        if key == "spark.master":
            value = re.split(r"\s*[=:\s]\s*", stripped, maxsplit=1)[1:] or [""]
            sites.append(Site(0, n, line.rindex(value[0]) + 1 if value[0] else col, "master",
                              value[0], ("master", value[0])))
    return sorted(sites)
