"""vbgraph.ingest"""
