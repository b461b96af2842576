"""Spark SQL data types and their mapping to Arrow and Arrow-backed pandas dtypes.

Every dfml column is stored as a pandas ``ArrowDtype``: Arrow keeps nulls apart from NaN,
has real dates and decimals, and maps one-to-one onto Spark's types, so the Spark schema of
a frame can always be read off its dask ``_meta``.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

import pandas as pd
import pyarrow as pa

__all__ = [
    "DataType", "NullType", "StringType", "BinaryType", "BooleanType", "DateType",
    "TimestampType", "TimestampNTZType", "DayTimeIntervalType", "DecimalType", "DoubleType", "FloatType",
    "ByteType", "ShortType", "IntegerType", "LongType", "ArrayType", "MapType",
    "StructField", "StructType", "UserDefinedType", "register_udt", "NumericType", "IntegralType", "FractionalType",
    "AtomicType", "parse_ddl", "parse_type", "from_arrow", "to_arrow", "from_dtype",
    "to_dtype", "infer_type",
]


class DataType:
    """Base of all Spark data types; equal when their simple strings are equal."""

    def simpleString(self) -> str:
        return self.typeName()

    def typeName(self) -> str:
        return type(self).__name__[:-4].lower()

    def jsonValue(self) -> Any:
        return self.typeName()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataType) and type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))


class AtomicType(DataType):
    """A type whose values have no inner structure."""


class NumericType(AtomicType):
    """Integral, fractional and decimal numbers."""


class IntegralType(NumericType):
    """Whole numbers."""


class FractionalType(NumericType):
    """Floating point and decimal numbers."""


class NullType(DataType):
    def simpleString(self) -> str:
        return "void"

    def typeName(self) -> str:
        return "void"


class StringType(AtomicType):
    pass


class BinaryType(AtomicType):
    pass


class BooleanType(AtomicType):
    pass


class DateType(AtomicType):
    pass


class TimestampType(AtomicType):
    pass


class TimestampNTZType(AtomicType):
    def typeName(self) -> str:
        return "timestamp_ntz"


class DayTimeIntervalType(AtomicType):
    """A span of days to seconds, exact to the microsecond (Python's ``timedelta``), stored as
    Arrow ``duration[us]``; the fields name the units it is written in."""

    _NAMES = ("day", "hour", "minute", "second")

    def __init__(self, startField: int = 0, endField: int = 3):  # noqa: N803 - Spark's names
        if not 0 <= startField <= endField <= 3:
            raise ValueError(f"DayTimeIntervalType: fields must satisfy 0 <= start <= end <= 3, "
                             f"got {startField}, {endField}")
        self.startField, self.endField = startField, endField

    def simpleString(self) -> str:
        s, e = self._NAMES[self.startField], self._NAMES[self.endField]
        return f"interval {s}" if s == e else f"interval {s} to {e}"

    def typeName(self) -> str:
        return self.simpleString()

    def __repr__(self) -> str:
        return f"DayTimeIntervalType({self.startField}, {self.endField})"


class DoubleType(FractionalType):
    pass


class FloatType(FractionalType):
    pass


class DecimalType(FractionalType):
    def __init__(self, precision: int = 10, scale: int = 0):
        self.precision = precision
        self.scale = scale

    def typeName(self) -> str:
        return f"decimal({self.precision},{self.scale})"

    def __repr__(self) -> str:
        return f"DecimalType({self.precision}, {self.scale})"


class ByteType(IntegralType):
    def simpleString(self) -> str:
        return "tinyint"


class ShortType(IntegralType):
    def simpleString(self) -> str:
        return "smallint"


class IntegerType(IntegralType):
    def simpleString(self) -> str:
        return "int"


class LongType(IntegralType):
    def simpleString(self) -> str:
        return "bigint"


class ArrayType(DataType):
    def __init__(self, elementType: DataType, containsNull: bool = True):
        self.elementType = elementType
        self.containsNull = containsNull

    def simpleString(self) -> str:
        return f"array<{self.elementType.simpleString()}>"

    def typeName(self) -> str:
        return "array"

    def __repr__(self) -> str:
        return f"ArrayType({self.elementType!r}, {self.containsNull})"


class MapType(DataType):
    def __init__(self, keyType: DataType, valueType: DataType, valueContainsNull: bool = True):
        self.keyType = keyType
        self.valueType = valueType
        self.valueContainsNull = valueContainsNull

    def simpleString(self) -> str:
        return f"map<{self.keyType.simpleString()},{self.valueType.simpleString()}>"

    def typeName(self) -> str:
        return "map"

    def __repr__(self) -> str:
        return f"MapType({self.keyType!r}, {self.valueType!r}, {self.valueContainsNull})"


class StructField(DataType):
    def __init__(self, name: str, dataType: DataType, nullable: bool = True, metadata: dict | None = None):
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.metadata = metadata or {}

    def simpleString(self) -> str:
        return f"{self.name}:{self.dataType.simpleString()}"

    def __repr__(self) -> str:
        return f"StructField('{self.name}', {self.dataType!r}, {self.nullable})"


class StructType(DataType):
    def __init__(self, fields: list[StructField] | None = None):
        self.fields = list(fields or [])

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def fieldNames(self) -> list[str]:
        return self.names

    def add(self, field: str | StructField, data_type: DataType | str | None = None,
            nullable: bool = True) -> "StructType":
        if isinstance(field, StructField):
            self.fields.append(field)
        else:
            if isinstance(data_type, str):
                data_type = parse_type(data_type)
            self.fields.append(StructField(field, data_type, nullable))
        return self

    def __iter__(self) -> Iterator[StructField]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def __getitem__(self, key: int | str) -> StructField:
        if isinstance(key, int):
            return self.fields[key]
        for f in self.fields:
            if f.name == key:
                return f
        raise KeyError(f"No StructField named {key}")

    def simpleString(self) -> str:
        return "struct<" + ",".join(f.simpleString() for f in self.fields) + ">"

    def typeName(self) -> str:
        return "struct"

    def __repr__(self) -> str:
        return "StructType([" + ", ".join(repr(f) for f in self.fields) + "])"

    def treeString(self, level: int | None = None) -> str:
        """Spark's ``printSchema`` text for this schema (``level``: nesting levels shown)."""
        lines = ["root"]
        for f in self.fields:
            _tree_lines(f.name, f.dataType, f"nullable = {str(f.nullable).lower()}", 1, lines)
        if level is not None and level > 0:
            lines = [ln for ln in lines if ln == "root" or ln.split("--", 1)[0].count("|") <= level]
        return "\n".join(lines) + "\n"


class UserDefinedType(DataType):
    """A type stored as another (``sqlType``) with its own Python objects (ML vectors).

    Registered instances are recognised from the Arrow storage type, so a column keeps its
    type through parquet and through any frame operation.
    """

    @classmethod
    def sqlType(cls) -> DataType:
        raise NotImplementedError

    @classmethod
    def arrowType(cls) -> pa.DataType:
        return to_arrow(cls.sqlType())

    @classmethod
    def matches(cls, t: pa.DataType) -> bool:
        return t == cls.arrowType()

    def typeName(self) -> str:
        return self.simpleString()

    def serialize(self, obj: Any) -> Any:
        raise NotImplementedError

    def deserialize(self, datum: Any) -> Any:
        raise NotImplementedError

    def display(self, obj: Any) -> str:
        return str(obj)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


_UDTS: list[UserDefinedType] = []


def register_udt(udt: UserDefinedType) -> None:
    """Make columns of ``udt``'s Arrow storage type read as ``udt``."""
    if all(type(u) is not type(udt) for u in _UDTS):
        _UDTS.append(udt)


def _tree_lines(name: str, dt: DataType, null_note: str, depth: int, out: list[str]) -> None:
    prefix = " |   " * (depth - 1) + " |-- "
    out.append(f"{prefix}{name}: {dt.typeName()} ({null_note})")
    if isinstance(dt, StructType):
        for f in dt.fields:
            _tree_lines(f.name, f.dataType, f"nullable = {str(f.nullable).lower()}", depth + 1, out)
    elif isinstance(dt, ArrayType):
        _tree_lines("element", dt.elementType, f"containsNull = {str(dt.containsNull).lower()}",
                    depth + 1, out)
    elif isinstance(dt, MapType):
        out.append(" |   " * depth + f" |-- key: {dt.keyType.typeName()}")
        _tree_lines("value", dt.valueType,
                    f"valueContainsNull = {str(dt.valueContainsNull).lower()}", depth + 1, out)


# ---------------------------------------------------------------- Arrow mapping

def to_arrow(dt: DataType) -> pa.DataType:
    """The Arrow type dfml stores a Spark type as."""
    simple = {
        StringType: pa.large_string(), BinaryType: pa.large_binary(), BooleanType: pa.bool_(),
        DateType: pa.date32(), TimestampType: pa.timestamp("us"),
        TimestampNTZType: pa.timestamp("us"), DoubleType: pa.float64(), FloatType: pa.float32(),
        ByteType: pa.int8(), ShortType: pa.int16(), IntegerType: pa.int32(),
        LongType: pa.int64(), NullType: pa.null(),
    }
    if type(dt) in simple:
        return simple[type(dt)]
    if isinstance(dt, UserDefinedType):
        return dt.arrowType()
    if isinstance(dt, DecimalType):
        return pa.decimal128(dt.precision, dt.scale)
    if isinstance(dt, DayTimeIntervalType):
        return pa.duration("us")
    if isinstance(dt, ArrayType):
        return pa.large_list(to_arrow(dt.elementType))
    if isinstance(dt, MapType):
        return pa.map_(to_arrow(dt.keyType), to_arrow(dt.valueType))
    if isinstance(dt, StructType):
        return pa.struct([pa.field(f.name, to_arrow(f.dataType), f.nullable) for f in dt.fields])
    raise TypeError(f"no Arrow mapping for {dt!r}")


def from_arrow(t: pa.DataType) -> DataType:
    """The Spark type of an Arrow type."""
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return StringType()
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return BinaryType()
    if pa.types.is_boolean(t):
        return BooleanType()
    if pa.types.is_int8(t) or pa.types.is_uint8(t):
        return ByteType()
    if pa.types.is_int16(t) or pa.types.is_uint16(t):
        return ShortType()
    if pa.types.is_int32(t):
        return IntegerType()
    if pa.types.is_integer(t):
        return LongType()
    if pa.types.is_float64(t):
        return DoubleType()
    if pa.types.is_float32(t) or pa.types.is_float16(t):
        return FloatType()
    if pa.types.is_decimal(t):
        return DecimalType(t.precision, t.scale)
    if pa.types.is_date(t):
        return DateType()
    if pa.types.is_timestamp(t):
        return TimestampType()
    if pa.types.is_null(t):
        return NullType()
    if pa.types.is_duration(t):
        return DayTimeIntervalType()
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) \
            or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
        return ArrayType(from_arrow(t.value_type), True)
    if pa.types.is_map(t):
        return MapType(from_arrow(t.key_type), from_arrow(t.item_type), True)
    if pa.types.is_struct(t):
        for udt in _UDTS:
            if udt.matches(t):
                return udt
        return StructType([StructField(t.field(i).name, from_arrow(t.field(i).type), True)
                           for i in range(t.num_fields)])
    if pa.types.is_dictionary(t):
        return from_arrow(t.value_type)
    raise TypeError(f"Arrow type {t} has no Spark equivalent")


def normalize_arrow(t: pa.DataType) -> pa.DataType:
    """The Arrow type dfml computes with for data that arrives as ``t``.

    View types and small strings become large strings (Arrow's filter/take kernels do not
    all take views), unsigned ints become signed, dictionaries decode, and timestamps drop to
    microseconds like Spark's.
    """
    return to_arrow(from_arrow(t))


def to_dtype(dt: DataType) -> pd.ArrowDtype:
    return pd.ArrowDtype(to_arrow(dt))


def from_dtype(dtype: Any) -> DataType:
    """The Spark type of a pandas dtype (Arrow-backed or numpy)."""
    if isinstance(dtype, pd.ArrowDtype):
        return from_arrow(dtype.pyarrow_dtype)
    if isinstance(dtype, pd.StringDtype) or dtype == object:
        return StringType()
    if isinstance(dtype, pd.DatetimeTZDtype):
        return TimestampType()
    try:
        return from_arrow(pa.from_numpy_dtype(dtype))
    except (TypeError, pa.ArrowNotImplementedError) as e:
        raise TypeError(f"pandas dtype {dtype} has no Spark equivalent") from e


def infer_type(value: Any) -> DataType:
    """The Spark type of a Python value, as Spark infers it for literals and local data."""
    import datetime as _dt
    import decimal as _dec

    if value is None:
        return NullType()
    if hasattr(type(value), "__UDT__"):
        return type(value).__UDT__
    if isinstance(value, bool):
        return BooleanType()
    if isinstance(value, int):
        return LongType()
    if isinstance(value, float):
        return DoubleType()
    if isinstance(value, str):
        return StringType()
    if isinstance(value, (bytes, bytearray)):
        return BinaryType()
    if isinstance(value, _dt.datetime):
        return TimestampType()
    if isinstance(value, _dt.date):
        return DateType()
    if isinstance(value, _dec.Decimal):
        return DecimalType(38, 18)
    if isinstance(value, (list, tuple)):
        inner = next((infer_type(v) for v in value if v is not None), NullType())
        return ArrayType(inner, True)
    if isinstance(value, dict):
        k = next(iter(value), None)
        return MapType(infer_type(k), infer_type(value[k]) if k is not None else NullType(), True)
    raise TypeError(f"cannot infer a Spark type for {type(value).__name__} value {value!r}")


# ---------------------------------------------------------------- DDL strings

_NAMED = {
    "string": StringType, "varchar": StringType, "char": StringType, "binary": BinaryType,
    "boolean": BooleanType, "bool": BooleanType, "date": DateType, "timestamp": TimestampType,
    "timestamp_ltz": TimestampType, "timestamp_ntz": TimestampNTZType, "double": DoubleType,
    "float": FloatType, "real": FloatType, "tinyint": ByteType, "byte": ByteType,
    "smallint": ShortType, "short": ShortType, "int": IntegerType, "integer": IntegerType,
    "bigint": LongType, "long": LongType, "void": NullType, "null": NullType,
}


class _Tokens:
    def __init__(self, text: str):
        self.text = text
        self.toks = re.findall(r"`[^`]*`|\w+|[<>(),:]", text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok.lower() != expected):
            raise ValueError(f"cannot parse data type {self.text!r}: expected "
                             f"{expected or 'more'} at token {tok!r}")
        self.i += 1
        return tok


def _parse(tokens: _Tokens) -> DataType:
    name = tokens.take().lower()
    if name in ("decimal", "dec", "numeric"):
        if tokens.peek() == "(":
            tokens.take("(")
            p = int(tokens.take())
            s = 0
            if tokens.peek() == ",":
                tokens.take(",")
                s = int(tokens.take())
            tokens.take(")")
            return DecimalType(p, s)
        return DecimalType(10, 0)
    if name in ("varchar", "char") and tokens.peek() == "(":
        tokens.take("(")
        tokens.take()
        tokens.take(")")
        return StringType()
    if name == "array":
        tokens.take("<")
        inner = _parse(tokens)
        tokens.take(">")
        return ArrayType(inner)
    if name == "map":
        tokens.take("<")
        k = _parse(tokens)
        tokens.take(",")
        v = _parse(tokens)
        tokens.take(">")
        return MapType(k, v)
    if name == "struct":
        tokens.take("<")
        fields = []
        while tokens.peek() != ">":
            fname = tokens.take().strip("`")
            if tokens.peek() == ":":
                tokens.take(":")
            fields.append(StructField(fname, _parse(tokens)))
            if tokens.peek() == ",":
                tokens.take(",")
        tokens.take(">")
        return StructType(fields)
    if name in _NAMED:
        return _NAMED[name]()
    raise ValueError(f"unknown data type {name!r} in {tokens.text!r}")


def parse_type(text: str) -> DataType:
    """Parse a Spark type name such as ``"double"``, ``"decimal(10,2)"`` or ``"array<int>"``."""
    tokens = _Tokens(text.strip())
    dt = _parse(tokens)
    if tokens.peek() is not None:
        raise ValueError(f"cannot parse data type {text!r}: unexpected {tokens.peek()!r}")
    return dt


def parse_ddl(text: str) -> StructType:
    """Parse a DDL schema string such as ``"a INT, b STRING"`` (or ``"a: int, b: string"``)."""
    text = text.strip()
    if text.lower().startswith("struct<"):
        dt = parse_type(text)
        assert isinstance(dt, StructType)
        return dt
    tokens = _Tokens(text)
    fields = []
    while tokens.peek() is not None:
        fname = tokens.take().strip("`")
        if tokens.peek() == ":":
            tokens.take(":")
        dt = _parse(tokens)
        nullable = True
        if tokens.peek() and tokens.peek().lower() == "not":
            tokens.take()
            tokens.take("null")
            nullable = False
        fields.append(StructField(fname, dt, nullable))
        if tokens.peek() == ",":
            tokens.take(",")
        elif tokens.peek() is not None:
            raise ValueError(f"cannot parse schema {text!r} at {tokens.peek()!r}")
    if not fields:
        raise ValueError(f"empty schema string {text!r}")
    return StructType(fields)


def schema_of_meta(meta: pd.DataFrame, nullable: dict[str, bool] | None = None) -> StructType:
    """The Spark schema of a (meta) pandas frame."""
    nullable = nullable or {}
    return StructType([StructField(str(c), from_dtype(meta[c].dtype), nullable.get(c, True))
                       for c in meta.columns])


def __getattr__(name: str) -> Any:
    # ``from pyspark.sql.types import Row`` works in PySpark: the same path here, without an
    # import cycle (row.py imports this module)
    if name == "Row":
        from .row import Row
        return Row
    raise AttributeError(f"module 'dfml.sql.types' has no attribute {name!r}")


def inherit_fields(schema: StructType, inputs: list[StructType]) -> StructType:
    """``schema`` with each column an input passes through unchanged (same name, same storage)
    keeping that input's Spark type and metadata: what dask's dtypes cannot tell apart
    (TimestampNTZ from Timestamp) and cannot hold (metadata) survives eager operations."""
    fields = []
    for f in schema.fields:
        same = next((g for s in inputs for g in s.fields
                     if g.name == f.name and _same_storage(g.dataType, f.dataType)), None)
        fields.append(f if same is None else
                      StructField(f.name, same.dataType, f.nullable, same.metadata))
    return StructType(fields)


def _same_storage(a: DataType, b: DataType) -> bool:
    try:
        return a == b or to_arrow(a) == to_arrow(b)
    except TypeError:
        return False
