"""xgboost.spark's estimators on dfml: ``from dfml.xgboost import SparkXGBClassifier`` where a
program has ``from xgboost.spark import SparkXGBClassifier``; the same keywords, output columns
and Pipeline use, trained by xgboost.dask on the session's cluster."""

from .estimator import SparkXGBClassifier, SparkXGBRanker, SparkXGBRegressor
from .model import (SparkXGBClassifierModel, SparkXGBRankerModel, SparkXGBRegressorModel,
                    XGBoostTrainingSummary)

__all__ = ["SparkXGBClassifier", "SparkXGBClassifierModel", "SparkXGBRegressor",
           "SparkXGBRegressorModel", "SparkXGBRanker", "SparkXGBRankerModel",
           "XGBoostTrainingSummary"]
