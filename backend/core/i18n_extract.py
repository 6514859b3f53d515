"""Find every translatable message in the code and keep the per-domain catalogs complete.

Extraction follows ``babel.cfg`` (Python under ``backend/``, Jinja templates under
``templates/``) with the keywords below. ``make i18n`` runs ``python -m backend.core.i18n_extract``:
each message id that has no translation yet is appended, untranslated, to the catalog of the
domain it was found in (``backend/locale/<lang>/<domain>.po``), ready for a translator.
``tests/core/test_i18n.py`` uses the same functions to fail on any message without a Dutch text.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file, pathmatch
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from backend.core.i18n import LANGUAGES, LOCALE_DIR, load_catalog
from backend.core.settings import ROOT

# ``_``/``gettext``/``ngettext`` (Babel's defaults) plus our own helpers in backend.core.i18n.
KEYWORDS: dict[str, object] = {
    **DEFAULT_KEYWORDS,
    "gettext_": None,
    "ngettext_": (1, 2),
    "N_": None,
}
SOURCE_LANGUAGE = "en"  # message ids are English
TARGET_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
# Shared plumbing and the site frame translate into core.po; everything else per domain
# (backend/ops and templates/ops into ops.po, and so on).
CORE_PATHS = ("backend/core/", "backend/site/", "backend/main.py",
              "backend/cli.py", "backend/seeding.py", "backend/models.py",
              "templates/base.html", "templates/errors/", "templates/site/")

MsgId = str | tuple[str, ...]


@dataclass
class Message:
    id: MsgId
    locations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.id[0] if isinstance(self.id, tuple) else self.id

    @property
    def domain(self) -> str:
        return domain_for(self.locations[0][0])


def domain_for(path: str) -> str:
    """``backend/search/x.py`` and ``templates/search/y.html`` → ``search``; plumbing → ``core``."""
    if path.startswith(CORE_PATHS):
        return "core"
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else "core"


def _method_map(root: Path) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    with (root / "babel.cfg").open(encoding="utf-8") as fh:
        return parse_mapping_cfg(fh)


def _source_files(root: Path, method_map: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    tops = sorted({pattern.split("/", 1)[0] for pattern, _ in method_map})
    for top in tops:
        for path in sorted((root / top).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            rel = path.relative_to(root).as_posix()
            for pattern, method in method_map:
                if pathmatch(pattern, rel):
                    if method != "ignore":
                        yield rel, pattern
                    break


def extract_messages(root: Path = ROOT) -> dict[str, Message]:
    """Every message id in the code (keyed by its singular), with where it is used."""
    method_map, options_map = _method_map(root)
    methods = dict(method_map)
    found: dict[str, Message] = {}
    for rel, pattern in _source_files(root, method_map):
        for line, msgid, _comments, _context in extract_from_file(
            methods[pattern], str(root / rel), keywords=KEYWORDS,  # type: ignore[arg-type]
            options=options_map.get(pattern, {}),
        ):
            if isinstance(msgid, tuple) and len(msgid) == 1:
                msgid = msgid[0]
            if not msgid or (isinstance(msgid, tuple) and not msgid[0]):
                continue
            message = Message(msgid)
            found.setdefault(message.key, message).locations.append((rel, line))
    return found


def is_translated(catalog: Catalog, msgid: MsgId) -> bool:
    entry = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid)
    if entry is None or entry.fuzzy:
        return False
    if isinstance(entry.string, tuple | list):
        return all(entry.string)
    return bool(entry.string)


def untranslated(lang: str, messages: Iterable[Message] | None = None) -> list[Message]:
    catalog = load_catalog(lang)
    pool = extract_messages().values() if messages is None else messages
    return [m for m in pool if not is_translated(catalog, m.id)]


def new_catalog(lang: str, domain: str) -> Catalog:
    now = datetime.now(UTC)
    catalog = Catalog(locale=lang, project="Loket", version="0.1",
                      copyright_holder="Loket contributors", creation_date=now,
                      revision_date=now, language_team=f"{lang} <loket@example.invalid>",
                      last_translator="Loket contributors",
                      header_comment=(f"# {lang} translations of Loket: {domain}.\n"
                                      "# Licensed under the EUPL-1.2, like the rest of Loket.\n"
                                      "#"))
    catalog.fuzzy = False
    return catalog


def add_untranslated(lang: str, locale_dir: Path = LOCALE_DIR) -> dict[str, int]:
    """Append every untranslated message id to its domain's catalog; return counts per domain."""
    added: dict[str, int] = {}
    for message in untranslated(lang):
        path = locale_dir / lang / f"{message.domain}.po"
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = new_catalog(lang, message.domain)
        if message.key in catalog:
            entry = catalog[message.key]
            entry.locations = message.locations
        else:
            catalog.add(message.id, "", locations=message.locations)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=False, omit_header=False)
        added[message.domain] = added.get(message.domain, 0) + 1
    return added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true",
                        help="only report untranslated messages; exit 1 when there are any")
    args = parser.parse_args(argv)
    status = 0
    for lang in TARGET_LANGUAGES:
        missing = untranslated(lang)
        if args.check:
            for message in missing:
                where = ", ".join(f"{p}:{n}" for p, n in message.locations[:3])
                print(f"{lang}: untranslated {message.key!r} ({where})")
            status |= bool(missing)
            continue
        added = add_untranslated(lang)
        for domain, count in sorted(added.items()):
            print(f"{lang}/{domain}.po: {count} new message(s) to translate")
        if not added:
            print(f"{lang}: all {len(extract_messages())} messages translated")
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
