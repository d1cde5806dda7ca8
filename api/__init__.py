"""vbgraph.api"""
