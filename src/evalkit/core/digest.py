"""Content hashes shared by the run manifest and the stored topic results.

Both decide whether work must be redone from the same facts: a file's bytes, the
curated ``_meta.json`` without its raw-file provenance, and the evalkit source code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

#: Fields of the curated ``_meta.json`` that are provenance only (raw-file hashes), not data.
META_PROVENANCE_FIELDS = ("files",)


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of the file at *path*."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    """Return the hex SHA-256 of *text* encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_sha256() -> str:
    """Return one SHA-256 over every ``src/evalkit/**/*.py`` file (path and content, sorted)."""
    pkg = Path(__file__).resolve().parents[1]  # src/evalkit (this module is in core/)
    h = hashlib.sha256()
    for f in sorted(pkg.rglob("*.py")):
        if "__pycache__" in f.parts:
            continue
        h.update(f.relative_to(pkg).as_posix().encode("utf-8") + b"\0")
        h.update(f.read_bytes() + b"\0")
    return h.hexdigest()


def meta_view_sha256(path: Path) -> str:
    """Return the SHA-256 of ``_meta.json`` without :data:`META_PROVENANCE_FIELDS`.

    An unreadable file hashes as its bytes; a missing one as the word ``missing``.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return sha256_file(path) if Path(path).exists() else sha256_text("missing")
    if isinstance(doc, dict):
        doc = {k: v for k, v in doc.items() if k not in META_PROVENANCE_FIELDS}
    return sha256_text(json.dumps(doc, sort_keys=True, ensure_ascii=False))
