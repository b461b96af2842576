"""The table statements of SQL text: ``CREATE TABLE [IF NOT EXISTS] ... [AS SELECT]``,
``CREATE OR REPLACE TABLE``, ``INSERT INTO|OVERWRITE``, ``DROP TABLE``, ``TRUNCATE TABLE`` and
``SHOW TABLES``, each a call of dfml.sql.tables (as in Spark, a statement runs when
``spark.sql`` is called, and its result is an empty DataFrame; SHOW TABLES's is its rows).
"""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from .. import types as T
from ..errors import AnalysisException
from .exprs import spark_type, unsupported


def _name(table: exp.Expression) -> str:
    return ".".join(p.name for p in table.parts)


def _props(node: exp.Expression) -> tuple[str | None, list[str], dict[str, str]]:
    """USING, PARTITIONED BY and TBLPROPERTIES of a CREATE TABLE (others are refused)."""
    fmt, partition_by, properties = None, [], {}
    props = node.args.get("properties")
    for p in props.expressions if props is not None else []:
        if isinstance(p, exp.FileFormatProperty):
            fmt = p.this.name.lower()
        elif isinstance(p, exp.PartitionedByProperty):
            partition_by = [c.name for c in p.this.expressions]
        elif type(p) is exp.Property and isinstance(p.this, exp.Literal) \
                and isinstance(p.args.get("value"), exp.Literal):  # TBLPROPERTIES ('k' = 'v')
            properties[p.this.name] = p.args["value"].name
        elif not isinstance(p, (exp.TemporaryProperty,)):
            raise unsupported(f"the table property {p.sql('spark')}")
    return fmt, partition_by, properties


def _warehouse(translator: Any) -> Any:
    from ..tables import Warehouse
    return Warehouse(translator.session)


def create_table(translator: Any, node: exp.Create) -> None:
    fmt, partition_by, properties = _props(node)
    target = node.this
    if node.args.get("replace"):  # Spark's file tables refuse it too
        name = (target.this if isinstance(target, exp.Schema) else target).name
        raise AnalysisException(
            f"[UNSUPPORTED_FEATURE.TABLE_OPERATION] The feature is not supported: Table "
            f"`spark_catalog`.`default`.`{name}` does not support REPLACE TABLE AS SELECT. Please "
            f"check the current catalog and namespace to make sure the qualified table name is "
            f"expected, and also check the catalog implementation which is configured by "
            f"\"spark.sql.catalog\". SQLSTATE: 0A000", "UNSUPPORTED_FEATURE.TABLE_OPERATION")
    schema = None
    if isinstance(target, exp.Schema):
        schema = T.StructType([T.StructField(c.name, spark_type(c.args["kind"]), True)
                               for c in target.expressions if isinstance(c, exp.ColumnDef)])
        target = target.this
    data = translator.run(node.expression) if node.expression is not None else None
    if data is None and schema is None:
        raise AnalysisException("CREATE TABLE needs a column list or AS SELECT", "PARSE_SYNTAX_ERROR")
    if data is not None and schema is not None:
        raise unsupported("CREATE TABLE with both a column list and AS SELECT")
    for key in partition_by:
        names = (schema or data.schema).names
        if key not in names:
            raise AnalysisException(
                f"[COLUMN_NOT_DEFINED_IN_TABLE] partition column `{key}` is not defined in table "
                f"`spark_catalog`.`default`.`{target.name}`, defined table columns are: "
                f"{', '.join(f'`{n}`' for n in names)}. SQLSTATE: 42703", "COLUMN_NOT_DEFINED_IN_TABLE")
    _warehouse(translator).create(_name(target), schema or data.schema, fmt, partition_by,
                                  if_not_exists=bool(node.args.get("exists")), data=data,
                                  properties=properties)


def insert(translator: Any, node: exp.Insert) -> None:
    target = node.this
    columns = None
    if isinstance(target, exp.Schema):
        columns = [c.name for c in target.expressions]
        target = target.this
    if node.args.get("partition"):
        raise unsupported("INSERT ... PARTITION (...) (write the partition column as data)")
    warehouse = _warehouse(translator)
    entry = warehouse.get(_name(target))
    data = translator.run(node.expression)
    spec = target.args.get("partition")
    if spec is not None:
        data = _static_partitions(translator, entry, spec, data, columns)
    if columns is not None:  # INSERT INTO t (b, a): the listed columns, the rest null
        lower = [c.lower() for c in columns]
        unknown = [c for c in columns if c.lower() not in [n.lower() for n in entry.schema.names]]
        if unknown:
            raise AnalysisException(
                f"[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter "
                f"with name `{unknown[0]}` cannot be resolved. Did you mean one of the following? "
                f"[{', '.join(f'`{n}`' for n in entry.schema.names)}]. SQLSTATE: 42703",
                "UNRESOLVED_COLUMN.WITH_SUGGESTION")
        if len(columns) != len(data.columns):
            from ..table_insert import arity_error
            raise arity_error(entry, data.columns)
        from .. import functions as F
        by_pos = dict(zip(lower, data.columns))
        data = data.select(*[data[by_pos[f.name.lower()]] if f.name.lower() in by_pos
                             else F.lit(None).cast(f.dataType).alias(f.name)
                             for f in entry.schema.fields])
    warehouse.append(data, entry, by_name=False, overwrite=bool(node.args.get("overwrite")))


def _static_partitions(translator: Any, entry: Any, spec: exp.Partition, data: Any,
                       columns: list[str] | None) -> Any:
    """``INSERT INTO t PARTITION (p = 1, q) SELECT ...``: the query gives the other columns in
    the table's order, and each ``p = value`` is that constant (``q`` alone: from the data)."""
    if columns is not None:
        raise unsupported("INSERT with both a column list and PARTITION (...)")
    static = {}
    for item in spec.expressions:
        key = item.this.name if isinstance(item, exp.EQ) else item.name
        if key not in entry.partition_by:
            raise AnalysisException(
                f"[PARTITIONS_NOT_FOUND] The partition(s) `{key}` cannot be found in table "
                f"`spark_catalog`.`default`."
                f"`{entry.name}`.\nVerify the partition specification and table name.\nTo "
                f"tolerate the error on drop use ALTER TABLE \u2026 DROP IF EXISTS PARTITION. "
                f"SQLSTATE: 428FT", "PARTITIONS_NOT_FOUND")
        if isinstance(item, exp.EQ):
            static[key] = translator.exprs(None).column(item.expression)
    if not static:
        return data
    fields = [f for f in entry.schema.fields if f.name not in static]
    if len(data.columns) != len(fields):
        from ..table_insert import arity_error
        raise arity_error(entry._replace(schema=type(entry.schema)(fields)), data.columns)
    data = data.toDF(*[f.name for f in fields])  # by position: the query's names may repeat
    return data.select(*[static[f.name].alias(f.name) if f.name in static else data[f.name]
                         for f in entry.schema.fields])


def drop_table(translator: Any, node: exp.Drop) -> None:
    for t in node.args.get("tables") or node.expressions or []:
        _warehouse(translator).drop(_name(t), bool(node.args.get("exists")))


def truncate(translator: Any, node: exp.TruncateTable) -> None:
    for t in node.expressions:
        _warehouse(translator).truncate(_name(t))


_SHOW = re.compile(r"^\s*TABLES(?:\s+(?:IN|FROM)\s+(\S+))?(?:\s+(?:LIKE\s+)?'([^']*)')?\s*$",
                   re.IGNORECASE)


def show_tables(translator: Any, node: exp.Command) -> Any:
    """``SHOW TABLES [IN db] [[LIKE] 'pattern']``: namespace, tableName, isTemporary rows."""
    text = node.expression.name if node.expression is not None else ""
    m = _SHOW.match(text)
    if m is None:
        raise unsupported(f"SHOW {text}")
    import fnmatch
    from .catalog import Catalog
    tables = Catalog(translator.session, translator.views).listTables(m.group(1))
    pattern = m.group(2)
    rows = [("default" if not t.isTemporary else "", t.name, t.isTemporary) for t in tables
            if pattern is None or any(fnmatch.fnmatch(t.name, p.strip().replace(".*", "*"))
                                      for p in pattern.split("|"))]
    from ..local_results import mark_local  # a command's result is local, as in Spark
    return mark_local(translator.session.createDataFrame(
        rows, "namespace string not null, tableName string not null, isTemporary boolean not null"))
