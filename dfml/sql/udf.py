"""``pyspark.sql.udf``'s names: ``UserDefinedFunction`` and ``spark.udf`` (``UDFRegistration``)."""

from __future__ import annotations

from typing import Any, Callable

from . import udf_registry
from .functions import UserDefinedFunction

__all__ = ["UserDefinedFunction", "UDFRegistration"]


class UDFRegistration:
    """``spark.udf``: registers Python functions under a name SQL text can call."""

    def __init__(self, session: Any):
        self._session = session

    def register(self, name: str, f: Callable[..., Any] | UserDefinedFunction,
                 returnType: Any = None) -> UserDefinedFunction:
        """Register ``f`` as ``name`` (a UDF keeps its return type, which may not be given
        again, as in Spark); returns the UDF, usable from Python too."""
        if isinstance(f, UserDefinedFunction):
            if returnType is not None:
                raise TypeError("[CANNOT_SPECIFY_RETURN_TYPE_FOR_UDF] Invalid return type: "
                                "returnType can not be specified when f is a user-defined function")
            named = UserDefinedFunction(f.func, f.returnType, name=name, evalType=f.evalType,
                                        deterministic=f.deterministic)
        else:
            named = UserDefinedFunction(f, returnType, name=name)
        udf_registry.register(name, named)
        return named
