import pyspark.pandas as ps
from pyspark.sql import SparkSession
from pyspark.sql.functions import col, no_such_function
from pyspark.ml.feature import NoSuchTransformer

spark = SparkSession.builder.config("spark.sql.shuffle.partitions", 4).getOrCreate()
spark.conf.set("spark.some.unknown.setting", "1")
df = spark.createDataFrame([(1, "a")], ["n", "s"])
df.select(col("n")).noSuchMethod().show()
