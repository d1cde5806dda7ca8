"""vbgraph.graph"""
