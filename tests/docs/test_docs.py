"""The documentation site: it builds in strict mode (broken links, missing pages and unresolved
API references fail), its generated parts come from the code, and the getting-started page's
code runs as pasted."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOCS = os.path.join(ROOT, "docs")


def _read(*parts: str) -> str:
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def _load(name: str, path: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_graph_page_shows_what_dfml_draws(spark):
    """docs/guide/graphs.md's DOT text is what the documented code draws today (regenerate
    with ``python docs/graph_examples.py``)."""
    examples = _load("graph_examples", os.path.join(DOCS, "graph_examples.py"))
    shown = examples.page_blocks(_read("docs", "guide", "graphs.md"))
    drawn = {name: g.dot for name, g in examples.graphs(spark).items()}
    assert shown == drawn, "regenerate docs/guide/graphs.md: python docs/graph_examples.py"
    for name in drawn:
        assert os.path.exists(os.path.join(DOCS, "img", f"{name}-graph.svg"))


def test_differences_table_has_every_entry_of_the_checker_list():
    from dfml.porting.resolver import load_differences
    hooks = _load("docs_hooks", os.path.join(DOCS, "hooks.py"))
    table = hooks.differences_table()
    entries = load_differences()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(entries)
    for d in entries:
        assert any(f"`{d.patterns[0]}`" in r and d.text.replace("|", "\\|") in r for r in rows)
    page = hooks.on_page_markdown(_read("docs", "known-differences.md"), None, None, None)
    assert "<!-- differences-table -->" not in page and "## Settings" in page


def _python_blocks(page: str, *folder: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", _read(*folder, page), flags=re.S)


def _run_as_pasted(code: str, tmp_path) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh process from ``tmp_path`` with every warning shown, and check
    that none of them comes from dfml's own code."""
    script = tmp_path / "pasted.py"
    script.write_text("import warnings\nwarnings.simplefilter('always')\n" + code)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONWARNINGS="always")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    dfml_warnings = [line for line in done.stderr.splitlines()
                     if "Warning" in line and os.path.join(ROOT, "dfml") in line]
    assert not dfml_warnings, dfml_warnings
    return done


@pytest.mark.slow
def test_getting_started_code_runs_as_pasted(tmp_path):
    """The page's Python blocks, in order, in a fresh process (they start and stop their own
    session), with no warning from dfml's own code."""
    done = _run_as_pasted("\n".join(_python_blocks("getting-started.md", "docs")), tmp_path)
    assert "|carrier|flights|avg_delay|" in done.stdout
    assert "Pipeline fit: 2 pass(es)" in done.stdout


@pytest.mark.slow
def test_readme_code_runs_as_pasted(tmp_path):
    """The README's Python blocks, in order, from a checkout where ``examples/etl_pipeline.py``
    wrote its sample data (a small copy here), with no warning from dfml's own code: a newcomer
    pasting them meets no undefined name, missing path or null that stops the pipeline."""
    etl = _load("etl_pipeline", os.path.join(ROOT, "examples", "etl_pipeline.py"))
    etl.DATA = str(tmp_path / "examples" / "data")
    etl.make_data(2000)
    done = _run_as_pasted("\n".join(_python_blocks("README.md")), tmp_path)
    assert "|carrier|" in done.stdout and "|carrier|  1|  2|  3|  4|" in done.stdout
    assert "Pipeline fit: 2 pass(es) over the input for 4 estimator(s)" in done.stdout
    auc = float(done.stdout.strip().splitlines()[-1])
    assert 0.5 < auc <= 1.0
    assert (tmp_path / "out" / "report").is_dir() and (tmp_path / "model").is_dir()


@pytest.mark.slow
def test_site_builds_in_strict_mode(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    pytest.importorskip("mkdocstrings_handlers.python")
    site = tmp_path / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", os.path.join(ROOT, "mkdocs.yml"), "-d", str(site)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-5000:]
    page = (site / "known-differences" / "index.html").read_text()
    from dfml.porting.resolver import load_differences
    assert all(d.patterns[0] in page for d in load_differences())
    api = (site / "reference" / "functions" / "index.html").read_text()
    assert 'id="dfml.sql.functions.sum"' in api and 'id="dfml.sql.functions.regexp_replace"' in api
    api = (site / "reference" / "sql" / "index.html").read_text()
    assert 'id="dfml.sql.DataFrame.explain"' in api
    assert (site / "img" / "pipeline-graph.svg").exists()
    assert "pipeline-graph.svg" in (site / "guide" / "graphs" / "index.html").read_text()


def test_ci_installs_the_docs_tools_and_runs_the_readme_test_command():
    """CI builds the site because it installs the ``docs`` extra (from this repo's own
    pyproject) and runs the README's test command, which collects the strict-build test."""
    import tomllib
    extras = tomllib.loads(_read("pyproject.toml"))["project"]["optional-dependencies"]
    names = {re.split(r"[=<>\[]", d)[0] for d in extras["docs"]}
    assert names == {"mkdocs", "mkdocs-material", "mkdocstrings"}
    assert any("mkdocstrings[python]" in d for d in extras["docs"])
    ci = _read(".ci", "run")
    install = next(line for line in ci.splitlines() if "pip install" in line and "-e" in line)
    assert re.search(r"-e '\.\[[^\]]*\bdocs\b[^\]]*\]'", install), install
    readme_test = re.search(r"&& (python -m pytest[^\n]*)", _read("README.md")).group(1).strip()
    assert readme_test in [line.strip() for line in ci.splitlines()]
