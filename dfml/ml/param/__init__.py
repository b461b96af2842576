"""Params: named, documented, typed settings of a pipeline stage, as in Spark ML.

Each stage class declares its ``Param`` objects as class attributes; every instance gets its
own copies whose ``parent`` is the instance's uid. Values live in two maps, the ones a user set
and the defaults, so that ``isSet``/``hasDefault``/``explainParams`` can tell them apart and a
saved stage records both. ``getX``/``setX`` accessors are generated from the declarations
unless a class writes its own.
"""

from __future__ import annotations

import copy as _copy
import functools
import itertools
import uuid as _uuid
from typing import Any, Callable

import numpy as np

__all__ = ["Param", "Params", "TypeConverters", "keyword_only"]


class Param:
    """A setting of a stage: its owner's uid, its name, what it means, how values convert."""

    def __init__(self, parent: Any, name: str, doc: str,
                 typeConverter: Callable[[Any], Any] | None = None):
        self.parent = parent.uid if isinstance(parent, Params) else str(parent)
        self.name = str(name)
        self.doc = str(doc)
        self.typeConverter = typeConverter or TypeConverters.identity

    def _copy_new_parent(self, parent: "Params") -> "Param":
        p = _copy.copy(self)
        p.parent = parent.uid
        return p

    def __str__(self) -> str:
        return f"{self.parent}__{self.name}"

    def __repr__(self) -> str:
        return f"Param(parent={self.parent!r}, name={self.name!r}, doc={self.doc!r})"

    def __hash__(self) -> int:
        return hash(str(self))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Param) and self.parent == other.parent and self.name == other.name


class TypeConverters:
    """Converters that check and normalise a param value when it is set."""

    @staticmethod
    def identity(value: Any) -> Any:
        return value

    @staticmethod
    def _is_int(v: Any) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool) or \
            (isinstance(v, (float, np.floating)) and float(v).is_integer())

    @staticmethod
    def toInt(value: Any) -> int:
        if TypeConverters._is_int(value):
            return int(value)
        raise TypeError(f"could not convert {value!r} to an int")

    @staticmethod
    def toFloat(value: Any) -> float:
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            return float(value)
        raise TypeError(f"could not convert {value!r} to a float")

    @staticmethod
    def toBoolean(value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise TypeError(f"could not convert {value!r} to a boolean")

    @staticmethod
    def toString(value: Any) -> str:
        if isinstance(value, str):
            return value
        raise TypeError(f"could not convert {value!r} to a string")

    @staticmethod
    def toList(value: Any) -> list:
        if isinstance(value, (list, tuple, np.ndarray)):
            return list(value)
        raise TypeError(f"could not convert {value!r} to a list")

    @staticmethod
    def toListFloat(value: Any) -> list[float]:
        return [TypeConverters.toFloat(v) for v in TypeConverters.toList(value)]

    @staticmethod
    def toListInt(value: Any) -> list[int]:
        return [TypeConverters.toInt(v) for v in TypeConverters.toList(value)]

    @staticmethod
    def toListString(value: Any) -> list[str]:
        return [TypeConverters.toString(v) for v in TypeConverters.toList(value)]

    @staticmethod
    def toListListFloat(value: Any) -> list[list[float]]:
        return [TypeConverters.toListFloat(v) for v in TypeConverters.toList(value)]

    @staticmethod
    def toVector(value: Any) -> Any:
        from ..linalg import DenseVector, SparseVector, Vector, VectorUDT
        if isinstance(value, Vector):
            return value
        if isinstance(value, dict) and "type" in value:  # as saved in metadata
            return VectorUDT().deserialize(value)
        if isinstance(value, (list, tuple, np.ndarray)):
            return DenseVector([TypeConverters.toFloat(v) for v in value])
        raise TypeError(f"could not convert {value!r} to a vector")


def _to_matrix(value: Any) -> Any:
    from ..linalg import DenseMatrix, Matrix
    if isinstance(value, Matrix):
        return value
    if isinstance(value, dict) and "numRows" in value:  # as saved in metadata
        return DenseMatrix(value["numRows"], value["numCols"], value["values"],
                           bool(value.get("isTransposed", False)))
    if isinstance(value, (list, tuple, np.ndarray)):
        a = np.asarray(value, dtype=np.float64)
        if a.ndim == 2:
            return DenseMatrix(a.shape[0], a.shape[1], a.reshape(-1, order="F"))
    raise TypeError(f"could not convert {value!r} to a matrix")


TypeConverters.toMatrix = staticmethod(_to_matrix)


def keyword_only(func: Callable) -> Callable:
    """Constructors and ``setParams`` take keywords only; the ones given are kept in
    ``self._input_kwargs`` so that unset params stay unset (not set to their defaults)."""
    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if args:
            # PySpark's wording (its doctests expect it); the traceback names the class
            raise TypeError(f"Method {func.__name__} forces keyword arguments.")
        self._input_kwargs = kwargs
        return func(self, **kwargs)
    return wrapper


_uid_counter = itertools.count()


def _accessor_name(prefix: str, name: str) -> str:
    return prefix + name[0].upper() + name[1:]


class Params:
    """A component with params (every stage, model and evaluator)."""

    _registry: dict[str, type] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Params._registry[f"{cls.__module__}.{cls.__qualname__}"] = cls
        for name, p in list(vars(cls).items()):
            if isinstance(p, Param):
                getter, setter = _accessor_name("get", p.name), _accessor_name("set", p.name)
                if not hasattr(cls, getter):
                    setattr(cls, getter, _make_getter(p.name))
                if not hasattr(cls, setter):
                    setattr(cls, setter, _make_setter(p.name))

    def __init__(self) -> None:
        self.uid = self._randomUID()
        self._paramMap: dict[Param, Any] = {}
        self._defaultParamMap: dict[Param, Any] = {}
        self._copy_params()

    @classmethod
    def _randomUID(cls) -> str:
        return f"{cls.__name__}_{_uuid.uuid4().hex[:12]}"

    @classmethod
    def _dummy(cls) -> str:
        return "undefined"

    def _copy_params(self) -> None:
        for klass in reversed(type(self).__mro__):
            for name, p in vars(klass).items():
                if isinstance(p, Param):
                    setattr(self, name, p._copy_new_parent(self))

    # ------------------------------------------------------------ introspection
    @property
    def params(self) -> list[Param]:
        """All params of this instance, sorted by name."""
        found = {v.name: v for k, v in vars(self).items() if isinstance(v, Param)}
        return [found[k] for k in sorted(found)]

    def hasParam(self, paramName: str) -> bool:
        p = getattr(self, paramName, None) if isinstance(paramName, str) else None
        return isinstance(p, Param)

    def getParam(self, paramName: str) -> Param:
        p = getattr(self, paramName, None)
        if isinstance(p, Param):
            return p
        names = [q.name for q in self.params]
        import difflib
        near = difflib.get_close_matches(paramName, names, n=1)
        hint = f" Did you mean {near[0]!r}?" if near else ""
        raise AttributeError(f"{type(self).__name__} has no param {paramName!r}.{hint}")

    def _resolveParam(self, param: Param | str) -> Param:
        if isinstance(param, Param):
            if param.parent != self.uid and param.parent != "undefined":
                raise ValueError(f"param {param.name!r} belongs to {param.parent}, not {self.uid}")
            return self.getParam(param.name)
        if isinstance(param, str):
            return self.getParam(param)
        raise TypeError(f"cannot resolve {param!r} as a param")

    def explainParam(self, param: Param | str) -> str:
        p = self._resolveParam(param)
        values = []
        if self.hasDefault(p):
            values.append(f"default: {self._defaultParamMap[p]!r}")
        if self.isSet(p):
            values.append(f"current: {self._paramMap[p]!r}")
        shown = f" ({', '.join(values)})" if values else " (undefined)"
        return f"{p.name}: {p.doc}{shown}"

    def explainParams(self) -> str:
        return "\n".join(self.explainParam(p) for p in self.params)

    def isSet(self, param: Param | str) -> bool:
        return self._resolveParam(param) in self._paramMap

    def hasDefault(self, param: Param | str) -> bool:
        return self._resolveParam(param) in self._defaultParamMap

    def isDefined(self, param: Param | str) -> bool:
        return self.isSet(param) or self.hasDefault(param)

    def getOrDefault(self, param: Param | str) -> Any:
        p = self._resolveParam(param)
        if p in self._paramMap:
            return self._paramMap[p]
        if p in self._defaultParamMap:
            return self._defaultParamMap[p]
        raise KeyError(f"{type(self).__name__}: param {p.name!r} is not set and has no default")

    def extractParamMap(self, extra: dict | None = None) -> dict[Param, Any]:
        m = dict(self._defaultParamMap)
        m.update(self._paramMap)
        for k, v in (extra or {}).items():
            if isinstance(k, Param) and self.hasParam(k.name) and k.parent in (self.uid, "undefined"):
                m[self.getParam(k.name)] = v
        return m

    # ------------------------------------------------------------ setting
    def set(self, param: Param, value: Any) -> None:
        self._set(**{self._resolveParam(param).name: value})

    def _set(self, **kwargs: Any) -> "Params":
        for name, value in kwargs.items():
            p = self.getParam(name)
            if value is None:
                continue
            try:
                value = p.typeConverter(value)
            except TypeError as e:
                raise TypeError(f"{type(self).__name__}.{name}: {e}") from None
            self._paramMap[p] = value
        return self

    def _setDefault(self, **kwargs: Any) -> "Params":
        for name, value in kwargs.items():
            p = self.getParam(name)
            if value is not None:
                value = p.typeConverter(value)
            self._defaultParamMap[p] = value
        return self

    def clear(self, param: Param | str) -> None:
        self._paramMap.pop(self._resolveParam(param), None)

    def copy(self, extra: dict | None = None) -> "Params":
        """A copy with the same uid and params, plus ``extra`` (a param map) applied."""
        that = _copy.copy(self)
        that._paramMap = {}
        that._defaultParamMap = {}
        that.__dict__.update({k: v for k, v in vars(self).items() if not isinstance(v, Param)})
        that._paramMap = dict(self._paramMap)
        that._defaultParamMap = dict(self._defaultParamMap)
        for k, v in (extra or {}).items():
            if isinstance(k, Param) and that.hasParam(k.name) and k.parent in (self.uid, "undefined"):
                that._set(**{k.name: v})
        return that

    def _copyValues(self, to: "Params", extra: dict | None = None) -> "Params":
        """Set on ``to`` the values of the params both have (how a model inherits settings)."""
        m = self.extractParamMap(extra)
        for p, v in m.items():
            if to.hasParam(p.name):
                tp = to.getParam(p.name)
                if p in self._paramMap or (extra and p in extra):
                    to._paramMap[tp] = v
                elif tp not in to._defaultParamMap:
                    to._defaultParamMap[tp] = v
        return to

    def _resetUid(self, uid: str) -> "Params":
        self.uid = uid
        new_map, new_default = {}, {}
        for p in self.params:
            np_ = p._copy_new_parent(self)
            setattr(self, p.name, np_)
            if p in self._paramMap:
                new_map[np_] = self._paramMap[p]
            if p in self._defaultParamMap:
                new_default[np_] = self._defaultParamMap[p]
        self._paramMap, self._defaultParamMap = new_map, new_default
        return self

    def _param_value(self, name: str) -> Any:
        return self.getOrDefault(self.getParam(name))


def _make_getter(name: str) -> Callable:
    def getter(self: Params) -> Any:
        return self.getOrDefault(self.getParam(name))
    getter.__name__ = _accessor_name("get", name)
    getter.__doc__ = f"The value of ``{name}`` (set or default)."
    return getter


def _make_setter(name: str) -> Callable:
    def setter(self: Params, value: Any) -> Params:
        return self._set(**{name: value})
    setter.__name__ = _accessor_name("set", name)
    setter.__doc__ = f"Set ``{name}``; returns the stage, so calls chain."
    return setter
