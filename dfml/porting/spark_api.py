"""The shape of PySpark's API the scanner needs to follow a script: what each call returns.

This is knowledge about PySpark (the contract), not about dfml: it lets the scanner know that
``spark.read.parquet(p)`` is a DataFrame, so ``.filter`` after it is ``DataFrame.filter``.
Whether dfml *has* a name is never decided here (see ``resolver``).
"""

from __future__ import annotations

# PySpark's classes the scanner tracks, by short name -> the public path users import them from.
SQL_CLASSES = {
    "SparkSession": "pyspark.sql.SparkSession",
    "Builder": "pyspark.sql.SparkSession.Builder",
    "DataFrame": "pyspark.sql.DataFrame",
    "Column": "pyspark.sql.Column",
    "GroupedData": "pyspark.sql.GroupedData",
    "DataFrameReader": "pyspark.sql.DataFrameReader",
    "DataFrameWriter": "pyspark.sql.DataFrameWriter",
    "DataFrameNaFunctions": "pyspark.sql.DataFrameNaFunctions",
    "DataFrameStatFunctions": "pyspark.sql.DataFrameStatFunctions",
    "RuntimeConfig": "pyspark.sql.conf.RuntimeConfig",
    "Window": "pyspark.sql.Window",
    "WindowSpec": "pyspark.sql.WindowSpec",
    "SparkContext": "pyspark.SparkContext",
    "SparkConf": "pyspark.SparkConf",
    "UDFRegistration": "pyspark.sql.UDFRegistration",
    "Catalog": "pyspark.sql.Catalog",
    "RDD": "pyspark.RDD",
}

# Attribute (not called) -> class, per class. Anything else read off a DataFrame is a column.
PROPERTIES = {
    "SparkSession": {"builder": "Builder", "read": "DataFrameReader", "conf": "RuntimeConfig",
                     "sparkContext": "SparkContext", "udf": "UDFRegistration",
                     "catalog": "Catalog", "version": None, "readStream": None,
                     "streams": None},
    "DataFrame": {"write": "DataFrameWriter", "na": "DataFrameNaFunctions",
                  "stat": "DataFrameStatFunctions", "columns": None, "dtypes": None,
                  "schema": None, "rdd": "RDD", "writeStream": None, "isStreaming": None,
                  "storageLevel": None, "sparkSession": "SparkSession", "plot": None,
                  "executionInfo": None},
    "RDD": {"context": "SparkContext"},
    "Window": {"unboundedPreceding": None, "unboundedFollowing": None, "currentRow": None},
}

# Method call -> class of the result. A class listed in SELF returns itself from any method not
# named here; NONE_BUT lists the only methods that return a DataFrame for the others.
RETURNS = {
    "SparkSession": {"createDataFrame": "DataFrame", "sql": "DataFrame", "table": "DataFrame",
                     "emptyDataFrame": "DataFrame",
                     "range": "DataFrame", "newSession": "SparkSession",
                     "getActiveSession": "SparkSession", "active": "SparkSession"},
    "Builder": {"getOrCreate": "SparkSession", "create": "SparkSession"},
    "DataFrameReader": {m: "DataFrame" for m in (
        "load", "csv", "json", "parquet", "orc", "text", "table", "jdbc", "xml", "changes")},
    "DataFrameWriter": {m: None for m in (
        "save", "csv", "json", "parquet", "orc", "text", "saveAsTable", "insertInto", "jdbc",
        "xml")},
    "DataFrame": {"groupBy": "GroupedData", "groupby": "GroupedData", "rollup": "GroupedData",
                  "cube": "GroupedData", "groupingSets": "GroupedData",
                  **{m: "Column" for m in ("colRegex", "exists", "metadataColumn", "scalar")},
                  **{m: None for m in (
                      "collect", "count", "show", "take", "head", "first", "tail", "toPandas",
                      "printSchema", "explain", "foreach", "foreachPartition", "isEmpty",
                      "createOrReplaceTempView", "createTempView", "createGlobalTempView",
                      "createOrReplaceGlobalTempView", "toJSON", "toLocalIterator", "corr",
                      "cov", "approxQuantile", "inputFiles", "isLocal", "writeTo", "toArrow",
                      "mergeInto", "sameSemantics", "semanticHash", "randomSplit", "asTable",
                      "pandas_api", "registerTempTable")}},
    "GroupedData": {"pivot": "GroupedData", "cogroup": None},
    "DataFrameStatFunctions": {m: "DataFrame" for m in ("crosstab", "freqItems", "sampleBy")},
    "Catalog": {"createTable": "DataFrame", "createExternalTable": "DataFrame"},
    "SparkConf": {m: None for m in ("contains", "get", "getAll", "toDebugString")},
    "Window": {m: "WindowSpec" for m in ("partitionBy", "orderBy", "rowsBetween", "rangeBetween")},
    "SparkContext": {"getOrCreate": "SparkContext", "getConf": "SparkConf", **{m: "RDD" for m in (
        "parallelize", "textFile", "emptyRDD", "range", "union", "binaryFiles", "binaryRecords",
        "hadoopFile", "hadoopRDD", "newAPIHadoopFile", "newAPIHadoopRDD", "pickleFile",
        "sequenceFile", "wholeTextFiles")}},
    "RDD": {"toDF": "DataFrame", **{m: None for m in (
        "collect", "count", "take", "first", "reduce", "foreach", "foreachPartition",
        "countByKey", "countByValue", "collectAsMap", "sum", "mean", "max", "min", "isEmpty",
        "getNumPartitions", "saveAsTextFile", "top", "takeOrdered", "fold", "aggregate",
        "stats", "toLocalIterator", "lookup", "barrier", "checkpoint", "localCheckpoint",
        "cleanShuffleDependencies", "collectWithJobGroup", "countApprox", "countApproxDistinct",
        "getCheckpointFile", "getResourceProfile", "getStorageLevel", "histogram", "id",
        "isCheckpointed", "isLocallyCheckpointed", "meanApprox", "name", "randomSplit",
        "reduceByKeyLocally", "sampleStdev", "sampleVariance", "saveAsHadoopDataset",
        "saveAsHadoopFile", "saveAsNewAPIHadoopDataset", "saveAsNewAPIHadoopFile",
        "saveAsPickleFile", "saveAsSequenceFile", "stdev", "sumApprox", "takeSample",
        "toDebugString", "treeAggregate", "treeReduce", "variance")}},
    "SparkSession.class": {"getActiveSession": "SparkSession", "active": "SparkSession"},
}
SELF = {"Builder", "DataFrameReader", "DataFrameWriter", "Column", "WindowSpec", "SparkConf"}
DEFAULT = {"DataFrame": "DataFrame", "GroupedData": "DataFrame", "RDD": "RDD",
           "DataFrameNaFunctions": "DataFrame"}
# Methods that give a list of DataFrames (``train, test = df.randomSplit(...)``).
LIST_RETURNS = {("DataFrame", "randomSplit")}
# Functions of pyspark.sql.functions that do not return a Column.
NON_COLUMN_FUNCTIONS = {"udf", "pandas_udf", "udtf"}

# Estimators whose fit returns a class not named <Estimator>Model.
FIT_RETURNS = {"QuantileDiscretizer": "pyspark.ml.feature.Bucketizer"}
# Classes whose attributes are the user's fields (``row.age``), not API.
RECORD_CLASSES = {"Row"}

# Calls whose string arguments are settings: (class, method) -> how keys are passed.
CONF_SETTERS = {("RuntimeConfig", "set"), ("Builder", "config"), ("SparkConf", "set"),
                ("SparkConf", "setIfMissing"), ("SparkConf", "setAll")}
MASTER_SETTERS = {("Builder", "master"), ("SparkConf", "setMaster")}


def short(qualname: str) -> str:
    """``pyspark.ml.feature.VectorAssembler`` -> ``VectorAssembler``."""
    return qualname.rsplit(".", 1)[-1]


def result_of(cls: str, method: str) -> str | None:
    """The class (short name) a call of ``cls.method`` returns, if the scanner tracks it."""
    table = RETURNS.get(cls, {})
    if method in table:
        return table[method]
    if cls in SELF:
        return cls
    return DEFAULT.get(cls)
