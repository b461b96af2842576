"""``dfml port``: only the ``pyspark`` imports change, names stay bound, the rest is untouched."""

from __future__ import annotations

import json
import subprocess
import sys

from dfml.cli import main
from dfml.porting.resolver import is_module
from dfml.porting.rewriter import port_source

SCRIPT = '''\
"""Mentions pyspark in a docstring."""
import os, pyspark.sql.functions as F  # keep this comment
from pyspark.sql import (
    SparkSession,   # the session
    Row,
)
from pyspark.ml.feature import VectorAssembler
x = "é"; from pyspark.sql.types import IntegerType
import pyspark.pandas as ps
name = "pyspark.sql"
'''

PORTED = '''\
"""Mentions pyspark in a docstring."""
import os, dfml.sql.functions as F  # keep this comment
from dfml.sql import (
    SparkSession,   # the session
    Row,
)
from dfml.ml.feature import VectorAssembler
x = "é"; from dfml.sql.types import IntegerType
import pyspark.pandas as ps
name = "pyspark.sql"
'''


def test_imports_rewritten_and_nothing_else():
    new, notes = port_source(SCRIPT, is_module)
    assert new == PORTED
    assert notes == ["line 9: dfml has no module dfml.pandas; 'import pyspark.pandas' left as is"]


def test_bare_pyspark_name_stays_bound():
    assert port_source("import pyspark\nprint(pyspark.__version__)\n", is_module)[0] == \
        "import dfml as pyspark\nprint(pyspark.__version__)\n"
    text = "import pyspark.sql.functions\npyspark.sql.functions.col('a')\n"
    assert port_source(text, is_module)[0] == \
        "import dfml.sql.functions, dfml as pyspark\npyspark.sql.functions.col('a')\n"
    assert port_source("import pyspark.sql.functions\n", is_module)[0] == \
        "import dfml.sql.functions\n"


def test_nothing_to_do_leaves_text_identical():
    text = "import os\nfrom .pyspark import x\nfrom pysparkling import y\n"
    assert port_source(text, is_module) == (text, [])


def test_ported_script_runs(tmp_path):
    script = tmp_path / "app.py"
    script.write_text("import pyspark\nfrom pyspark.sql import functions as F, Row\n"
                      "print(type(F.col('a')).__module__, Row(a=1).a, pyspark.__name__)\n")
    assert main(["port", "--write", str(script)]) == 0
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["dfml.sql.column", "1", "dfml"]


def test_diff_by_default_and_write_in_place(tmp_path, capsys):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT, encoding="utf-8")
    assert main(["port", str(script)]) == 0
    captured = capsys.readouterr()
    assert script.read_text(encoding="utf-8") == SCRIPT  # a diff only
    assert f"--- {script}\n+++ {script}\n" in captured.out
    assert "\n-from pyspark.ml.feature import VectorAssembler\n" in captured.out
    assert "\n+from dfml.ml.feature import VectorAssembler\n" in captured.out
    assert "\n import pyspark.pandas as ps\n" in captured.out  # context, unchanged
    assert "dfml has no module dfml.pandas" in captured.err
    assert main(["port", "--write", str(tmp_path)]) == 0
    assert script.read_text(encoding="utf-8") == PORTED
    assert f"rewrote {script}" in capsys.readouterr().err


def test_notebook_cells_rewritten(tmp_path):
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["from pyspark.sql import Row\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["%pip install x\n", "from pyspark.sql import functions as F\n", "F.col('a')"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    assert main(["port", "--write", str(path)]) == 0
    cells = json.loads(path.read_text())["cells"]
    assert cells[0]["source"] == ["from pyspark.sql import Row\n"]  # markdown untouched
    assert cells[1]["source"] == ["%pip install x\n", "from dfml.sql import functions as F\n",
                                  "F.col('a')"]


def test_unparsable_file_fails_with_its_name(tmp_path, capsys):
    (tmp_path / "bad.py").write_text("from pyspark.sql import (\n")
    assert main(["port", str(tmp_path)]) == 1
    assert f"dfml port: {tmp_path}/bad.py: cannot rewrite" in capsys.readouterr().err
    assert main(["port", str(tmp_path / "none.py")]) == 2


def test_encoding_bom_and_line_endings_are_kept(tmp_path):
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(b"\xef\xbb\xbffrom pyspark.sql import Row\r\nx = 1\r\n")
    latin = tmp_path / "latin.py"
    latin.write_bytes("# -*- coding: latin-1 -*-\nname = 'café'\nimport pyspark.sql.functions as F\n"
                      .encode("latin-1"))
    shell = tmp_path / "run.sh"
    shell.write_text("spark-submit --master yarn app.py\n")
    assert main(["port", "--write", str(tmp_path)]) == 0
    assert crlf.read_bytes() == b"\xef\xbb\xbffrom dfml.sql import Row\r\nx = 1\r\n"
    assert latin.read_bytes() == ("# -*- coding: latin-1 -*-\nname = 'café'\n"
                                  "import dfml.sql.functions as F\n").encode("latin-1")
    assert shell.read_text() == "spark-submit --master yarn app.py\n"  # not Python: untouched
