"""``pyspark.conf``'s name: ``from dfml.conf import SparkConf`` as a PySpark script writes it."""

from .sql.context import SparkConf

__all__ = ["SparkConf"]
