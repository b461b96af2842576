"""``Row``: a tuple whose fields can also be read by name, printed as PySpark prints it."""

from __future__ import annotations

from typing import Any


class Row(tuple):
    """A record of a DataFrame: ``Row(a=1, b="x")``; ``Row("a", "b")`` makes a row factory."""

    __fields__: tuple[str, ...]

    def __new__(cls, *args: Any, **kwargs: Any) -> "Row":
        if args and kwargs:
            raise ValueError("Row takes either positional values or keyword fields, not both")
        if kwargs:
            row = tuple.__new__(cls, tuple(kwargs.values()))
            row.__fields__ = tuple(kwargs.keys())
            return row
        row = tuple.__new__(cls, args)
        return row

    @classmethod
    def _make(cls, fields: list[str] | tuple[str, ...], values: Any) -> "Row":
        row = tuple.__new__(cls, tuple(values))
        row.__fields__ = tuple(fields)
        return row

    def __call__(self, *values: Any) -> "Row":
        """A row made with only names (``Row("a", "b")``) builds rows of those fields."""
        if hasattr(self, "__fields__"):
            raise TypeError("only a Row of field names can be called")
        if len(values) > len(self):
            raise ValueError(f"Row takes {len(self)} values, got {len(values)}")
        return Row._make(tuple(self), values)

    def asDict(self, recursive: bool = False) -> dict[str, Any]:
        if not hasattr(self, "__fields__"):
            raise TypeError("Cannot convert a Row without field names to a dict")

        def conv(v: Any) -> Any:
            if not recursive:
                return v
            if isinstance(v, Row):
                return v.asDict(True)
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            return v

        return {k: conv(v) for k, v in zip(self.__fields__, self)}

    def __getattr__(self, item: str) -> Any:
        if item.startswith("__"):
            raise AttributeError(item)
        try:
            return self[self.__fields__.index(item)]
        except (ValueError, AttributeError):
            raise AttributeError(item) from None

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, str):
            try:
                return tuple.__getitem__(self, self.__fields__.index(item))
            except (ValueError, AttributeError):
                raise KeyError(item) from None
        return tuple.__getitem__(self, item)

    def __contains__(self, item: Any) -> bool:
        if hasattr(self, "__fields__"):
            return item in self.__fields__
        return tuple.__contains__(self, item)

    def __setattr__(self, key: str, value: Any) -> None:
        if key != "__fields__":
            raise RuntimeError("Row is read-only")
        object.__setattr__(self, key, value)

    def __reduce__(self):
        if hasattr(self, "__fields__"):
            return (Row._make, (self.__fields__, tuple(self)))
        return (Row, tuple(self))

    def __repr__(self) -> str:
        if hasattr(self, "__fields__"):
            return "Row(" + ", ".join(f"{k}={v!r}" for k, v in zip(self.__fields__, self)) + ")"
        return "<Row(" + ", ".join(repr(v) for v in self) + ")>"
