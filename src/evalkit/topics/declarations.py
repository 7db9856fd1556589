"""What each topic reads, read statically from its ``compute.py`` (no import of the topic).

``evalkit/topics/<topic>/compute.py`` declares ``READS`` (curated tables), ``CONFIG``
(files in ``data/config``) and ``USES`` (other topics' stored results) as literal
tuples. The run layer (page keys) and :mod:`evalkit.results` (stored-result keys)
both read them here, so a page and its stored result are invalidated by the same
inputs. Standard library only: the pipeline's start-up imports no topic.
"""

from __future__ import annotations

import ast
from pathlib import Path

#: Folder of the topic packages.
TOPICS_DIR = Path(__file__).resolve().parent
#: Declarations already parsed: (path, mtime ns, size) → declarations.
_PARSED: dict[tuple[str, int, int], dict[str, tuple[str, ...]]] = {}


def topic_declarations(topic: str) -> dict[str, tuple[str, ...]] | None:
    """Return ``{"reads", "config", "uses"}`` declared in ``evalkit/topics/<topic>/compute.py``.

    Read statically (the module-level ``READS``, ``CONFIG``, ``USES`` literals) so
    the pipeline needs no import of the topic. None when the topic has no compute
    module yet (not migrated); a missing constant is an empty tuple.
    """
    path = TOPICS_DIR / topic / "compute.py"
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    # Parsed once per process and version of the file (a run asks for a topic per page).
    seen = _PARSED.get((str(path), st.st_mtime_ns, st.st_size))
    if seen is not None:
        return dict(seen)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    found: dict[str, tuple[str, ...]] = {"reads": (), "config": (), "uses": ()}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            continue
        for t in targets:
            if isinstance(t, ast.Name) and t.id in ("READS", "CONFIG", "USES") and value:
                try:
                    found[t.id.lower()] = tuple(str(v) for v in ast.literal_eval(value))
                except (ValueError, TypeError):
                    raise ValueError(
                        f"{path.name} of topic {topic}: {t.id} 须为字面量 / must be a literal tuple"
                    ) from None
    _PARSED[(str(path), st.st_mtime_ns, st.st_size)] = found
    return dict(found)


def topic_closure(topics) -> dict[str, tuple[str, ...]]:
    """Return the tables, config files and topics reached from *topics* through ``USES``.

    Topics not migrated yet (no ``compute.py``) contribute nothing but their name.
    """
    reads: set[str] = set()
    config: set[str] = set()
    seen: set[str] = set()
    todo = list(topics)
    while todo:
        topic = todo.pop()
        if topic in seen:
            continue
        seen.add(topic)
        decl = topic_declarations(topic)
        if decl is None:
            continue
        reads.update(decl["reads"])
        config.update(decl["config"])
        todo.extend(decl["uses"])
    return {
        "reads": tuple(sorted(reads)),
        "config": tuple(sorted(config)),
        "uses": tuple(sorted(seen)),
    }
