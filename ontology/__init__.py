"""vbgraph.ontology — the vocabulary (OWL/Turtle + DefinedNamespaces) and the typed records."""
from .records import Agency, Citation, DocumentMeta, ExtractedDocument, Locality, Task
from .vocab import CitationRelation, EdgeType, LocalityKind, LocalityRelation, NodeLabel, Role

__all__ = [
    "Agency", "Citation", "CitationRelation", "DocumentMeta", "EdgeType", "ExtractedDocument",
    "Locality", "LocalityKind", "LocalityRelation", "NodeLabel", "Role", "Task",
]
