"""vbgraph.search"""
