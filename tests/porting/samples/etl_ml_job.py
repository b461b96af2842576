"""A typical PySpark job: read, clean, join, aggregate, train, save (never run by the tests)."""
from pyspark.sql import SparkSession, DataFrame
from pyspark.sql import functions as F
from pyspark.ml import Pipeline
from pyspark.ml.feature import StringIndexer, VectorAssembler
from pyspark.ml.classification import LogisticRegression


def load(spark: SparkSession, path: str) -> DataFrame:
    return spark.read.option("header", True).csv(path)


def clean(df):
    return df.dropna(subset=["delay"]).withColumn("late", (F.col("delay") > 15).cast("double"))


spark = SparkSession.builder.appName("flights").config("spark.executor.memory", "2g").getOrCreate()
flights = clean(load(spark, "flights.csv"))
carriers = spark.read.parquet("carriers")
stats = flights.groupBy("carrier").agg(F.avg("delay").alias("avg_delay"))
joined = flights.join(stats, "carrier", "left").orderBy("carrier")
train, test = joined.randomSplit([0.8, 0.2], seed=42)
lr = LogisticRegression(labelCol="late", maxIter=20)
model = Pipeline(stages=[
    StringIndexer(inputCol="carrier", outputCol="carrier_idx"),
    VectorAssembler(inputCols=["carrier_idx", "avg_delay"], outputCol="features"),
    lr,
]).fit(train)
model.transform(test).select("late", "prediction").write.mode("overwrite").parquet("out")
model.write().overwrite().save("model")
spark.stop()
