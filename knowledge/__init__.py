"""Anxin's policy knowledge base: topic files, schema, storage and retriever.

Nothing heavy happens at import: topics are read and jieba is loaded only when
a retriever is first built (see :func:`knowledge.retriever.default_retriever`).
"""
