"""FPGrowth and PrefixSpan through dfml and real PySpark on the same rows: itemsets, rules
(confidence, lift, support) and predictions equal as sets; printed itemsets equal as text
where no two items tie in frequency (among ties Spark's item order follows hashing)."""

from __future__ import annotations

import pytest

from dfml.ml.fpm import FPGrowth, PrefixSpan

BASKETS = [(["a", "b", "c"],), (["a", "b"],), (["b", "c", "d"],), (["a", "c", "d", "e"],),
           (["c", "d"],), (["a", "b", "c", "d"],), (None,), ([],), (["a", "c"],),
           (["b", "d", "e"],), (["a", "b", "c", "e"],)]


def _norm(rows):
    def one(v):
        if v is None:
            return ("<null>",)
        if isinstance(v, list):
            return tuple(sorted(v))
        return round(v, 12) if isinstance(v, float) else v
    return sorted(tuple(one(v) for v in r) for r in rows)


@pytest.mark.parametrize("support,confidence", [(0.2, 0.5), (0.3, 0.8), (0.1, 0.0)])
def test_fpgrowth_matches_spark(both, support, confidence):
    ours, theirs = both(BASKETS, "items array<string>")
    from pyspark.ml.fpm import FPGrowth as PFP
    m = FPGrowth(minSupport=support, minConfidence=confidence).fit(ours)
    p = PFP(minSupport=support, minConfidence=confidence).fit(theirs)
    assert _norm(m.freqItemsets.collect()) == _norm(p.freqItemsets.collect())
    assert _norm(m.associationRules.collect()) == _norm(p.associationRules.collect())
    assert _norm(m.transform(ours).collect()) == _norm(p.transform(theirs).collect())
    assert repr(m).split(", ")[1] == str(p).split(", ")[1]


def test_fpgrowth_show_text_without_ties(both):
    rows = [(["a", "b", "c", "d"],), (["a", "b", "c"],), (["a", "b"],), (["a"],), (["a", "b", "c", "d"],)]
    ours, theirs = both(rows, "items array<string>")
    from pyspark.ml.fpm import FPGrowth as PFP
    m, p = FPGrowth(minSupport=0.2).fit(ours), PFP(minSupport=0.2).fit(theirs)
    from dfml.sql import functions as F
    from pyspark.sql import functions as PF

    def key(fn, *cols):  # a string sort key per array column (dfml does not sort by arrays)
        return [fn.array_join(fn.col(c), ",") for c in cols]
    assert m.freqItemsets.orderBy(*key(F, "items"))._show_string(100) == \
        p.freqItemsets.orderBy(*key(PF, "items"))._jdf.showString(100, 20, False)
    r = ["antecedent", "consequent"]
    assert m.associationRules.orderBy(*key(F, *r))._show_string(100) == \
        p.associationRules.orderBy(*key(PF, *r))._jdf.showString(100, 20, False)


@pytest.mark.parametrize("support,length", [(0.5, 5), (0.25, 2), (0.25, 10)])
def test_prefixspan_matches_spark(both, support, length):
    rows = [([[1, 2], [3]],), ([[1], [3, 2], [1, 2]],), ([[1, 2], [5]],), ([[6]],),
            (None,), ([[1], [2], [3], [1, 3]],)]
    ours, theirs = both(rows, "sequence array<array<int>>")
    from pyspark.ml.fpm import PrefixSpan as PPS
    got = PrefixSpan(minSupport=support, maxPatternLength=length) \
        .findFrequentSequentialPatterns(ours).collect()
    want = PPS(minSupport=support, maxPatternLength=length) \
        .findFrequentSequentialPatterns(theirs).collect()
    key = lambda r: (str([sorted(s) for s in r[0]]), r[1])
    assert sorted(map(key, got)) == sorted(map(key, want))


def test_pyspark_saved_fpgrowth_model_loads(both, tmp_path):
    """A model PySpark saved (its metadata/part-*.txt, data/part-*.parquet and Spark class
    name) loads as a dfml FPGrowthModel with the same params, itemsets, rules and predictions."""
    from pyspark.ml.fpm import FPGrowth as PF

    from dfml.ml.fpm import FPGrowthModel
    ours_df, theirs_df = both(BASKETS, "items array<string>")
    theirs = PF(minSupport=0.2, minConfidence=0.5, predictionCol="p").fit(theirs_df)
    theirs.write().overwrite().save(str(tmp_path / "m"))
    ours = FPGrowthModel.load(str(tmp_path / "m"))
    assert ours.uid == theirs.uid and ours.numTrainingRecords == 10
    assert (ours.getMinSupport(), ours.getMinConfidence(), ours.getPredictionCol()) == \
        (0.2, 0.5, "p")
    assert _norm(ours.freqItemsets.collect()) == _norm(theirs.freqItemsets.collect())
    assert _norm(ours.associationRules.collect()) == _norm(theirs.associationRules.collect())
    assert _norm(ours.transform(ours_df).collect()) == _norm(theirs.transform(theirs_df).collect())
