"""What a user sees: ``show(truncate=False)`` of each feature stage's output and ``print`` of its
model's attributes, against PySpark character for character, numbers aside, which are compared
to 1e-6 relative (their last digits are round-off of different summation orders)."""

from __future__ import annotations

import re

import pytest

NUMBER = re.compile(r"-?\d+\.\d+(?:E-?\d+)?|-?\d+(?:E-?\d+)?|NaN|-?Infinity")
ROWS = [(0, "a", 1.0, -2.0, 3.0), (1, "b", 0.0, 0.0, 0.0), (2, "a", 4.5, 1.0, -1.0),
        (3, "c", 2.0, 8.0, 0.5), (4, "b", 3.0, -1.0, 2.5)]
SCHEMA = "id int, cat string, x double, y double, z double"


def same_text(ours: str, theirs: str) -> bool:
    """Equal once every number is replaced by a placeholder (and the padding that a number's
    extra digit adds is ignored), and the numbers equal to 1e-6."""
    def shape(text: str) -> str:
        return re.sub(r"-+", "-", NUMBER.sub("#", text).replace(" ", ""))
    if shape(ours) != shape(theirs):
        return False
    for a, b in zip(NUMBER.findall(ours), NUMBER.findall(theirs)):
        if a == b:
            continue
        try:
            fa, fb = float(a.replace("Infinity", "inf")), float(b.replace("Infinity", "inf"))
        except ValueError:
            return False
        if abs(fa - fb) > 1e-6 * max(abs(fa), abs(fb), 1e-12):
            return False
    return True


def _stages(m):
    """name -> (stages to fit in order, output columns to show); ``m`` is dfml.ml.feature or
    pyspark.ml.feature."""
    vec = [m.VectorAssembler(inputCols=["x", "y", "z"], outputCol="v")]
    return {
        "vector_assembler": (vec, ["v"]),
        "standard_scaler": (vec + [m.StandardScaler(inputCol="v", outputCol="s", withMean=True)], ["s"]),
        "min_max_scaler": (vec + [m.MinMaxScaler(inputCol="v", outputCol="s")], ["s"]),
        "max_abs_scaler": (vec + [m.MaxAbsScaler(inputCol="v", outputCol="s")], ["s"]),
        "robust_scaler": (vec + [m.RobustScaler(inputCol="v", outputCol="s")], ["s"]),
        "normalizer": (vec + [m.Normalizer(inputCol="v", outputCol="s", p=1.0)], ["s"]),
        "pca": (vec + [m.PCA(k=2, inputCol="v", outputCol="s")], ["s"]),
        "polynomial_expansion": (vec + [m.PolynomialExpansion(inputCol="v", outputCol="s", degree=2)], ["s"]),
        "elementwise_product": (vec + [m.ElementwiseProduct(inputCol="v", outputCol="s",
                                                            scalingVec=_dense(m, [1.0, 0.0, -2.0]))], ["s"]),
        "vector_slicer": (vec + [m.VectorSlicer(inputCol="v", outputCol="s", indices=[0, 2])], ["s"]),
        "binarizer": ([m.Binarizer(inputCol="x", outputCol="b", threshold=1.5)], ["b"]),
        "bucketizer": ([m.Bucketizer(inputCol="y", outputCol="b", splits=[-float("inf"), 0.0, 2.0, float("inf")])], ["b"]),
        "quantile_discretizer": ([m.QuantileDiscretizer(inputCol="x", outputCol="b", numBuckets=2)], ["b"]),
        "string_indexer": ([m.StringIndexer(inputCol="cat", outputCol="ci")], ["ci"]),
        "one_hot_encoder": ([m.StringIndexer(inputCol="cat", outputCol="ci"),
                             m.OneHotEncoder(inputCol="ci", outputCol="oh")], ["oh"]),
        "index_to_string": ([m.StringIndexer(inputCol="cat", outputCol="ci"),
                             m.IndexToString(inputCol="ci", outputCol="back")], ["back"]),
        "imputer": ([m.Imputer(inputCols=["x"], outputCols=["xi"], strategy="median")], ["xi"]),
        "interaction": ([m.Interaction(inputCols=["x", "y"], outputCol="ia")], ["ia"]),
    }


def _dense(m, values):
    module = __import__(m.__name__.rsplit(".", 1)[0] + ".linalg", fromlist=["Vectors"])
    return module.Vectors.dense(values)


def _run(session, m, name):
    df = session.createDataFrame(ROWS, SCHEMA)
    stages, cols = _stages(m)[name]
    data = df
    for st in stages:
        fitted = st.fit(data) if hasattr(st, "fit") else st
        data = fitted.transform(data)
    return data.select("id", *cols).orderBy("id")


@pytest.mark.parametrize("name", sorted(_stages(__import__("dfml.ml.feature", fromlist=["x"]))))
def test_show_text(spark, pyspark, name):
    import dfml.ml.feature as ours
    import pyspark.ml.feature as theirs
    a = _run(spark, ours, name)._show_string(20, truncate=False)
    b = _run(pyspark, theirs, name)._jdf.showString(20, 0, False)
    assert same_text(a, b), f"\ndfml:\n{a}\npyspark:\n{b}"


@pytest.mark.parametrize("name,attrs", [
    ("standard_scaler", ["mean", "std"]), ("min_max_scaler", ["originalMin", "originalMax"]),
    ("max_abs_scaler", ["maxAbs"]), ("robust_scaler", ["median", "range"]),
    ("pca", ["pc", "explainedVariance"]), ("string_indexer", ["labels"]),
])
def test_printed_model_attributes(spark, pyspark, name, attrs):
    import dfml.ml.feature as ours
    import pyspark.ml.feature as theirs

    def model(session, m):
        df = session.createDataFrame(ROWS, SCHEMA)
        stages, _ = _stages(m)[name]
        data = df
        for st in stages[:-1]:
            data = (st.fit(data) if hasattr(st, "fit") else st).transform(data)
        return stages[-1].fit(data)
    mine, spark_model = model(spark, ours), model(pyspark, theirs)
    for attr in attrs:
        a, b = str(getattr(mine, attr)), str(getattr(spark_model, attr))
        assert same_text(a, b), f"{attr}: dfml {a!r} vs pyspark {b!r}"
