"""Find traces of a person anywhere Loket keeps data: a reusable test helper.

``find_traces(connection, needles, search_path=…, logs=…)`` looks for each needle (a name, an
e-mail address, a phone number, a marker from a free text), case-insensitively, in

- **every table** of the database, reflected from the database itself (so a table no model
  knows about is scanned too), **every column**: strings, JSON values (decoded, so an
  escaped accent or a line break does not hide a name) and bytes;
- **the embedded search index**: every stored document (read through tantivy) and, as a
  second net, the raw bytes of the index files (tantivy keeps a deleted document in its
  segment files until segments merge, so the raw bytes may show what the documents no
  longer do; Loket indexes only published content, never questions or accounts);
- **log output**: the text captured while the flow ran;
- **the database files** (SQLite: the database, its ``-wal`` and ``-journal``), as raw bytes:
  live rows are not all a file holds. An erased address stayed in the WAL (28 copies) until
  a checkpoint, and in freed pages without ``secure_delete`` (issue 12).

It returns one line per trace (``table.column[pk]: needle``), so a failing assertion says
where the person was found. The outbox is a table like any other: pending and delivered
rows and kept mail are all in ``outbox_message``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _strings(value: Any) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, bytes | bytearray | memoryview):
        yield bytes(value).decode("utf-8", "replace")
    elif isinstance(value, str):
        yield value
        if value[:1] in ("[", "{"):  # JSON stored as text: look at the decoded strings too
            yield from _strings(_json_or_none(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    else:
        yield str(value)


def _wanted(needles: Iterable[str]) -> list[str]:
    out = sorted({n.strip().lower() for n in needles if n and n.strip()})
    assert out, "find_traces needs at least one needle"
    return out


def database_traces(connection: Connection, needles: Iterable[str]) -> list[str]:
    wanted = _wanted(needles)
    meta = sa.MetaData()
    meta.reflect(bind=connection)
    found: list[str] = []
    for table in meta.sorted_tables:
        pk = [c for c in table.primary_key.columns] or list(table.columns)[:1]
        for row in connection.execute(sa.select(table)).mappings():
            key = ",".join(str(row[c.name]) for c in pk)
            for column in table.columns:
                for text in _strings(row[column.name]):
                    low = text.lower()
                    found += [f"{table.name}.{column.name}[{key}]: {n}"
                              for n in wanted if n in low]
    return sorted(set(found))


def search_index_traces(path: Path, needles: Iterable[str]) -> list[str]:
    """Stored documents of the embedded (tantivy) index at ``path``, and its raw files."""
    import tantivy

    from backend.search.embedded import EmbeddedBackend

    wanted = _wanted(needles)
    found: list[str] = []
    backend = EmbeddedBackend(path)
    searcher = backend._searcher()
    if searcher.num_docs:
        hits = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs).hits
        for _score, address in hits:
            doc = searcher.doc(address).to_dict()
            doc_id = "".join(doc.get("id") or ["?"])
            for field, values in doc.items():
                for text in _strings(values):
                    low = text.lower()
                    found += [f"index doc {doc_id} {field}: {n}" for n in wanted if n in low]
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        data = file.read_bytes().lower()
        found += [f"index file {file.name}: {n}" for n in wanted if n.encode() in data]
    return sorted(set(found))


def log_traces(text: str, needles: Iterable[str]) -> list[str]:
    low = text.lower()
    return [f"logs: {n}" for n in _wanted(needles) if n in low]


def sqlite_files(database_url: str) -> list[Path]:
    """The files of a SQLite database that exist now (none for another database)."""
    if not database_url.startswith("sqlite:///") or database_url.endswith(":memory:"):
        return []
    main = Path(database_url.removeprefix("sqlite:///"))
    return [p for p in (main, Path(f"{main}-wal"), Path(f"{main}-journal")) if p.exists()]


def file_traces(database_url: str, needles: Iterable[str]) -> list[str]:
    """Needles in the raw bytes of the database files (UTF-8, any case)."""
    found: list[str] = []
    for path in sqlite_files(database_url):
        data = path.read_bytes().lower()
        for needle in needles:
            count = data.count(needle.lower().encode())
            if count:
                found.append(f"file {path.name}: {needle} ({count}×)")
    return found


def find_traces(connection: Connection, needles: Iterable[str], *,
                search_path: Path | None = None, logs: str | None = None,
                database_url: str | None = None) -> list[str]:
    needles = list(needles)
    found = database_traces(connection, needles)
    if database_url is not None:
        found += file_traces(database_url, needles)
    if search_path is not None and search_path.exists():
        found += search_index_traces(search_path, needles)
    if logs is not None:
        found += log_traces(logs, needles)
    return found
