"""Params behave as Spark's: defaults vs set values, copy with extras, generated accessors."""

import pytest

from dfml.ml.feature import StandardScaler
from dfml.ml.param import Param, Params, TypeConverters


def test_defaults_and_set_values_are_kept_apart():
    s = StandardScaler(inputCol="x")
    assert s.isSet("inputCol") and not s.isSet("withMean")
    assert s.hasDefault("withMean") and s.isDefined("withMean")
    assert s.getWithMean() is False and s.getOrDefault("withStd") is True
    s.setWithMean(True)
    assert s.isSet(s.withMean) and s.getWithMean() is True
    s.clear(s.withMean)
    assert s.getWithMean() is False


def test_params_are_sorted_and_owned_by_the_instance():
    s = StandardScaler()
    names = [p.name for p in s.params]
    assert names == sorted(names) == ["inputCol", "outputCol", "withMean", "withStd"]
    assert all(p.parent == s.uid for p in s.params)
    assert s.getOutputCol() == s.uid + "__output"


def test_explain_params_shows_default_and_current():
    s = StandardScaler(withMean=True)
    text = s.explainParam("withMean")
    assert "default: False" in text and "current: True" in text
    assert "inputCol" in s.explainParams()


def test_copy_with_extra_leaves_the_original_alone():
    s = StandardScaler(inputCol="x")
    c = s.copy({s.withMean: True})
    assert c.uid == s.uid and c.getWithMean() is True and s.getWithMean() is False
    assert c.extractParamMap()[c.withMean] is True
    assert s.extractParamMap({s.withStd: False})[s.withStd] is False


def test_type_conversion_and_unknown_param_errors():
    s = StandardScaler()
    with pytest.raises(TypeError, match="withMean"):
        s.setWithMean("yes")
    with pytest.raises(AttributeError, match="Did you mean 'withMean'"):
        s.getParam("withMeen")
    with pytest.raises(TypeError, match="keyword"):
        StandardScaler("x")
    assert TypeConverters.toInt(3.0) == 3
    with pytest.raises(TypeError):
        TypeConverters.toInt(3.5)


def test_accessors_are_generated_for_declared_params():
    class Thing(Params):
        depth = Param(Params._dummy(), "depth", "how deep", TypeConverters.toInt)

        def __init__(self):
            super().__init__()
            self._setDefault(depth=2)

    t = Thing()
    assert t.getDepth() == 2
    assert t.setDepth(5) is t and t.getDepth() == 5
