"""The one error type ingest raises for a file it cannot read."""
from __future__ import annotations

__all__ = ["IngestError"]


class IngestError(Exception):
    """A file that cannot be ingested: ``str(err)`` is a one-line ``"<path>: <reason>"``."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = str(path)
        self.reason = " ".join(str(reason).split())  # always one line
        super().__init__(f"{self.path}: {self.reason}")

    def __reduce__(self):  # picklable across processes
        return (type(self), (self.path, self.reason))
