"""Text metrics for ADIFF explanations; the entry point is :func:`adiff_bench.metrics.suite.score_texts`.

Nothing heavy is imported here: Java, numpy-heavy scorers and neural models load only when used.
"""
