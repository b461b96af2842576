"""FPGrowth and PrefixSpan: itemsets, rules, predictions, errors and persistence."""

import pytest

from dfml.ml.fpm import FPGrowth, FPGrowthModel, PrefixSpan
from dfml.ml._fpm_mining import frequent_itemsets, frequent_sequences
from dfml.sql.errors import SparkException

BASKETS = [(["a", "b", "c"],), (["a", "b"],), (["b", "c", "d"],), (["a", "c", "d", "e"],),
           (["c", "d"],), (["a", "b", "c", "d"],), (None,), ([],)]


@pytest.fixture
def baskets(spark):
    return spark.createDataFrame(BASKETS, "items array<string>")


def _sets(rows):
    return sorted((tuple(sorted(r[0])), r[1]) for r in rows)


def test_itemsets_rules_and_predictions(baskets):
    m = FPGrowth(minSupport=0.25, minConfidence=0.5).fit(baskets)
    assert m.numTrainingRecords == 7  # the null basket is ignored, the empty one counts
    got = _sets(m.freqItemsets.collect())
    assert (("c",), 5) in got and (("a", "c", "d"), 2) in got and len(got) == 13
    rules = {(tuple(r.antecedent), r.consequent[0]): (r.confidence, r.lift, r.support)
             for r in m.associationRules.collect()}
    assert rules[(("c",), "d")] == pytest.approx((0.8, 1.4, 4 / 7))
    pred = [sorted(r.prediction) for r in m.transform(baskets).collect()]
    assert pred == [["d"], ["c", "d"], ["a"], ["b"], ["a", "b"], [], [], []]
    assert repr(m).endswith("numTrainingRecords=7")


def test_duplicate_items_refused(spark):
    with pytest.raises(SparkException, match="unique.*`items`"):
        FPGrowth().fit(spark.createDataFrame([(["a", "a"],)], "items array<string>"))


def test_bad_params_and_columns(spark, baskets):
    with pytest.raises(Exception, match="minSupport"):
        FPGrowth(minSupport=1.5).fit(baskets)
    with pytest.raises(TypeError, match="`items`"):
        FPGrowth().fit(spark.createDataFrame([("a",)], "items string"))


def test_save_load_round_trip(baskets, tmp_path):
    m = FPGrowth(minSupport=0.25, minConfidence=0.5).fit(baskets)
    m.write().overwrite().save(str(tmp_path / "fp"))
    back = FPGrowthModel.load(str(tmp_path / "fp"))
    assert back.numTrainingRecords == 7 and back.getMinConfidence() == 0.5
    assert _sets(back.freqItemsets.collect()) == _sets(m.freqItemsets.collect())
    assert sorted(map(tuple, back.associationRules.collect())) == \
        sorted(map(tuple, m.associationRules.collect()))


def test_prefixspan(spark):
    df = spark.createDataFrame([([[1, 2], [3]],), ([[1], [3, 2], [1, 2]],), ([[1, 2], [5]],),
                                ([[6]],)], "sequence array<array<int>>")
    got = sorted((str(r.sequence), r.freq) for r in
                 PrefixSpan(minSupport=0.5, maxPatternLength=5)
                 .findFrequentSequentialPatterns(df).collect())
    assert got == sorted([("[[1]]", 3), ("[[3]]", 2), ("[[2]]", 3), ("[[1, 2]]", 3),
                          ("[[1], [3]]", 2)])
    with pytest.raises(TypeError, match="array of arrays"):
        PrefixSpan().findFrequentSequentialPatterns(
            spark.createDataFrame([([1],)], "sequence array<int>"))


def test_mining_kernels_against_brute_force():
    import itertools
    db = {(0, 1, 2): 2, (0, 2): 1, (1, 3): 1, (0, 1, 2, 3): 1}
    got = {frozenset(s): c for s, c in frequent_itemsets(db, 2)}
    items = range(4)
    want = {}
    for k in range(1, 5):
        for s in itertools.combinations(items, k):
            c = sum(m for t, m in db.items() if set(s) <= set(t))
            if c >= 2:
                want[frozenset(s)] = c
    assert got == want
    seqs = {((0,), (0, 1)): 1, ((0, 1),): 1}
    pats = {str(p): c for p, c in frequent_sequences(seqs, 2, 10)}
    assert pats == {"[[0]]": 2, "[[1]]": 2, "[[0, 1]]": 2}


def test_prefixspan_repr_is_its_uid_as_setters_show():
    ps = PrefixSpan()
    assert repr(ps.setMinSupport(0.5)) == ps.uid and ps.uid.startswith("PrefixSpan_")


def test_spark_class_names_load_only_for_stages_with_spark_layout(tmp_path, baskets):
    """A Spark-written directory names an org.apache.spark class: FPGrowthModel declares the
    same data layout and loads; a class that does not declare it is refused."""
    import json
    import os
    import shutil

    from dfml.ml.util import ModelLoadError
    model = FPGrowth(minSupport=0.3).fit(baskets)
    model.save(str(tmp_path / "m"))
    # rewrite as Spark lays it out: uuid part names, Spark's class name, no checksums
    meta_dir, data_dir = tmp_path / "m" / "metadata", tmp_path / "m" / "data"
    meta = json.loads((meta_dir / "part-00000").read_text())
    meta.pop("checksums", None)
    os.remove(meta_dir / "part-00000")
    shutil.move(data_dir / "part-00000.parquet", data_dir / "part-00000-abc-c000.snappy.parquet")

    def write(cls):
        (meta_dir / "part-00000-abc-c000.txt").write_text(json.dumps(dict(meta, **{"class": cls})))
    write("org.apache.spark.ml.fpm.FPGrowthModel")
    loaded = FPGrowthModel.load(str(tmp_path / "m"))
    assert _sets(loaded.freqItemsets.collect()) == _sets(model.freqItemsets.collect())
    write("org.apache.spark.ml.pipeline.PipelineModel")
    with pytest.raises(ModelLoadError, match="not a dfml"):
        FPGrowthModel.load(str(tmp_path / "m"))
