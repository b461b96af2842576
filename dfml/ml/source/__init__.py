"""Data sources that produce ML types (``spark.read.format("libsvm")``)."""
