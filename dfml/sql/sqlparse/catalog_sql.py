"""The catalog statements of SQL text: ``CREATE|DROP DATABASE`` (``SCHEMA``), ``USE``,
``CREATE [OR REPLACE] VIEW`` (persistent), ``DROP VIEW`` of a persistent view, and ``SHOW
DATABASES|PARTITIONS`` (``SHOW TABLES`` is sqlparse.tables_sql's). Each is a call of
``spark.catalog`` or dfml.sql.warehouse_objects, run when ``spark.sql`` is called, as Spark does.
"""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from ..errors import AnalysisException
from .exprs import unsupported


def _catalog(translator: Any) -> Any:
    from .catalog import Catalog
    return Catalog(translator.session, translator.views)


def _warehouse(translator: Any) -> Any:
    from ..tables import Warehouse
    return Warehouse(translator.session)


def _db_of(table: exp.Expression) -> str:
    """sqlglot puts ``DATABASE d``'s name in ``this`` and ``SCHEMA d``'s in ``db``."""
    return ".".join(p.name for p in table.parts)


def _literal(node: exp.Expression) -> str:
    return node.name if isinstance(node, exp.Literal) else node.sql("spark")


def database_statement(translator: Any, node: exp.Expression) -> Any:
    catalog = _catalog(translator)
    if isinstance(node, exp.Use):
        catalog.setCurrentDatabase(_db_of(node.this))
    elif isinstance(node, exp.Create):
        props: dict[str, str] = {}
        given = node.args.get("properties")
        for p in given.expressions if given is not None else []:
            if isinstance(p, exp.SchemaCommentProperty):
                props["comment"] = _literal(p.this)
            elif isinstance(p, exp.LocationProperty):
                raise unsupported("CREATE DATABASE ... LOCATION (dfml's databases live in the "
                                  "warehouse)")
            elif isinstance(p, exp.Property):
                props[_literal(p.this)] = _literal(p.args["value"])
            else:
                raise unsupported(f"the database property {p.sql('spark')}")
        catalog.createDatabase(_db_of(node.this), bool(node.args.get("exists")), props)
    else:
        for t in node.args.get("tables") or node.expressions or []:
            catalog.dropDatabase(_db_of(t), bool(node.args.get("exists")),
                                 bool(node.args.get("cascade")))
    return translator.session.range(0).select()


def _query_text(translator: Any, node: exp.Create) -> str:
    """The text after the statement's top-level ``AS`` (Spark keeps a view's text as written);
    sqlglot's rendering of the query when the text is not at hand."""
    text = translator.text
    if text is not None:
        from sqlglot.dialects.spark import Spark
        from sqlglot.tokens import TokenType
        depth = 0
        for tok in Spark().tokenize(text):
            if tok.token_type == TokenType.L_PAREN:
                depth += 1
            elif tok.token_type == TokenType.R_PAREN:
                depth -= 1
            elif tok.token_type == TokenType.ALIAS and depth == 0:
                return text[tok.end + 1:].strip().rstrip(";").strip()
    return node.expression.sql("spark")


def _temp_references(translator: Any, query: exp.Expression) -> list[str]:
    """Temp views the query reads (its CTEs aside): a persistent view may not use them."""
    ctes = {c.alias.lower() for c in query.find_all(exp.CTE)}
    out = []
    for t in query.find_all(exp.Table):
        name = ".".join(p.name for p in t.parts)
        if name and name.lower() not in ctes and translator.views.lookup(name) is not None:
            out.append(t.name)
    return out


def create_view(translator: Any, node: exp.Create) -> None:
    """``CREATE [OR REPLACE] VIEW [IF NOT EXISTS] v [(cols)] AS query``: the query is translated
    now (errors surface now, as in Spark) and stored as SQL text in the warehouse."""
    from .. import types as T
    from ..warehouse_objects import create_view as store
    target, columns = node.this, None
    if isinstance(target, exp.Schema):
        columns = [c.name for c in target.expressions]
        target = target.this
    name = ".".join(p.name for p in target.parts)
    if translator.params:
        raise unsupported("parameter markers in CREATE VIEW")
    wh = _warehouse(translator)
    key = wh.key(name)
    for temp in _temp_references(translator, node.expression):
        raise AnalysisException(
            f"[INVALID_TEMP_OBJ_REFERENCE] Cannot create the persistent object "
            f"`spark_catalog`.`default`.`{key}` of the type VIEW because it references to the "
            f"temporary object `{temp}` of the type VIEW. Please make the temporary object "
            f"`{temp}` persistent, or make the persistent object `spark_catalog`.`default`."
            f"`{key}` temporary. SQLSTATE: 42K0F", "INVALID_TEMP_OBJ_REFERENCE")
    df = translator.run(node.expression)
    schema = df.schema
    if columns is not None:
        if len(columns) != len(schema.fields):
            sub = "NOT_ENOUGH_DATA_COLUMNS" if len(columns) > len(schema.fields) \
                else "TOO_MANY_DATA_COLUMNS"
            raise AnalysisException(
                f"[CREATE_VIEW_COLUMN_ARITY_MISMATCH.{sub}] Cannot create view "
                f"`spark_catalog`.`default`.`{key}`, the reason is "
                f"{sub.lower().replace('_', ' ')}:\nView columns: "
                f"{', '.join(f'`{c}`' for c in columns)}.\nData columns: "
                f"{', '.join(f'`{c}`' for c in schema.names)}. SQLSTATE: 21S01",
                "CREATE_VIEW_COLUMN_ARITY_MISMATCH")
        schema = T.StructType([T.StructField(c, f.dataType, f.nullable, f.metadata)
                               for c, f in zip(columns, schema.fields)])
    store(wh, name, _query_text(translator, node), schema,
          replace=bool(node.args.get("replace")), if_not_exists=bool(node.args.get("exists")))


def drop_view(translator: Any, name: str, if_exists: bool) -> None:
    """``DROP VIEW`` of a name that is not a temp view: the persistent view."""
    if "." in name and name.split(".")[0].strip("`").lower() == "global_temp":
        if not if_exists:
            raise translator.views.not_found(name)
        return
    from ..warehouse_objects import drop_view as drop
    drop(_warehouse(translator), name, if_exists)


_SHOW_DBS = re.compile(r"^\s*(?:DATABASES|SCHEMAS|NAMESPACES)(?:\s+(?:LIKE\s+)?'([^']*)')?\s*$",
                       re.IGNORECASE)
_SHOW_PARTS = re.compile(r"^\s*PARTITIONS\s+(\S+)\s*$", re.IGNORECASE)


def show(translator: Any, node: exp.Command) -> Any:
    """``SHOW TABLES|DATABASES|PARTITIONS``: their rows, as Spark's."""
    text = node.expression.name if node.expression is not None else ""
    session = translator.session
    m = _SHOW_DBS.match(text)
    if m:
        rows = [(d.name,) for d in _catalog(translator).listDatabases(m.group(1))]
        return session.createDataFrame(rows, "namespace string not null")
    m = _SHOW_PARTS.match(text)
    if m:
        parts = _catalog(translator).listPartitions(m.group(1).strip("`"))
        return session.createDataFrame([(p.partition,) for p in parts],
                                       "partition string not null")
    from .tables_sql import show_tables
    return show_tables(translator, node)
