"""Feature transformers and estimators (``pyspark.ml.feature``)."""

from .assembler import VectorAssembler
from .scalers import StandardScaler, StandardScalerModel
from .scalers import MinMaxScaler, MinMaxScalerModel, MaxAbsScaler, MaxAbsScalerModel, RobustScaler, RobustScalerModel  # noqa: E501
from .imputer import Imputer, ImputerModel

__all__ = ["VectorAssembler", "StandardScaler", "StandardScalerModel"]
__all__ += ["MinMaxScaler", "MinMaxScalerModel", "MaxAbsScaler", "MaxAbsScalerModel", "RobustScaler", "RobustScalerModel", "Imputer", "ImputerModel"]  # noqa: E501
from .indexers import StringIndexer, StringIndexerModel, IndexToString, OneHotEncoder, OneHotEncoderModel  # noqa: E402,E501

__all__ += ["StringIndexer", "StringIndexerModel", "IndexToString", "OneHotEncoder", "OneHotEncoderModel"]  # noqa: E501
from .bucketizers import Bucketizer, QuantileDiscretizer, Binarizer  # noqa: E402

__all__ += ["Bucketizer", "QuantileDiscretizer", "Binarizer"]
from .vector_ops import Normalizer, ElementwiseProduct, PolynomialExpansion, VectorSlicer, Interaction  # noqa: E402,E501

__all__ += ["Normalizer", "ElementwiseProduct", "PolynomialExpansion", "VectorSlicer", "Interaction"]  # noqa: E501
from .pca import PCA, PCAModel  # noqa: E402

__all__ += ["PCA", "PCAModel"]
from .text import Tokenizer, RegexTokenizer, StopWordsRemover, NGram  # noqa: E402

__all__ += ["Tokenizer", "RegexTokenizer", "StopWordsRemover", "NGram"]

from .hashing import HashingTF, FeatureHasher  # noqa: E402
from .counting import CountVectorizer, CountVectorizerModel, IDF, IDFModel  # noqa: E402

__all__ += ["HashingTF", "FeatureHasher", "CountVectorizer", "CountVectorizerModel", "IDF", "IDFModel"]  # noqa: E501
from .sql_transformer import SQLTransformer  # noqa: E402

__all__ += ["SQLTransformer"]
from .rformula import RFormula, RFormulaModel  # noqa: E402

__all__ += ["RFormula", "RFormulaModel"]
from .target_encoder import TargetEncoder, TargetEncoderModel  # noqa: E402

__all__ += ["TargetEncoder", "TargetEncoderModel"]
from .selectors import (ChiSqSelector, ChiSqSelectorModel, UnivariateFeatureSelector,  # noqa: E402
                        UnivariateFeatureSelectorModel, VarianceThresholdSelector,
                        VarianceThresholdSelectorModel)

__all__ += ["ChiSqSelector", "ChiSqSelectorModel", "UnivariateFeatureSelector",
            "UnivariateFeatureSelectorModel", "VarianceThresholdSelector",
            "VarianceThresholdSelectorModel"]
from .vector_stages import DCT, VectorSizeHint, VectorIndexer, VectorIndexerModel  # noqa: E402

__all__ += ["DCT", "VectorSizeHint", "VectorIndexer", "VectorIndexerModel"]
from .word2vec import Word2Vec, Word2VecModel  # noqa: E402

__all__ += ["Word2Vec", "Word2VecModel"]
from .lsh import (BucketedRandomProjectionLSH, BucketedRandomProjectionLSHModel,  # noqa: E402
                  MinHashLSH, MinHashLSHModel)

__all__ += ["BucketedRandomProjectionLSH", "BucketedRandomProjectionLSHModel", "MinHashLSH",
            "MinHashLSHModel"]
