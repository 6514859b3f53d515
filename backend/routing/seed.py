"""Seed loader for ``seed/desks.yaml``: idempotent upsert by slug.

A desk's YAML entry is applied when the desk is new or when the entry changed since it was
last applied (``Desk.seed_digest``); edits made in the admin area survive a re-seed otherwise.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from backend.core.db import Database, utcnow
from backend.core.settings import ROOT, Settings
from backend.regions import service as regions
from backend.routing import service
from backend.routing.models import CoverageItem, Desk, DeskCreate, DeskUpdate

DESKS_FILE = ROOT / "seed" / "desks.yaml"


def read_desks(path: Path = DESKS_FILE) -> list[dict[str, Any]]:
    import yaml  # lazy: PyYAML is 10 ms of a cold start; only seeding and editing read YAML

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506
    return list(data.get("desks") or [])


def _digest(entry: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str
                                     ).encode()).hexdigest()


def _coverage(entry: dict[str, Any]) -> list[CoverageItem]:
    return [CoverageItem(kind=c["kind"], code=str(c.get("code") or ""))
            for c in entry.get("coverage") or ()]


def apply_desks(session: Session, entries: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(added, updated, unchanged)."""
    index = regions.region_index(session)
    taxonomy = (service.routing_context(session).taxonomy if len(index)
                else service.routing_taxonomy(session))
    added = updated = unchanged = 0
    for entry in entries:
        digest = _digest(entry)
        desk = session.exec(select(Desk).where(Desk.slug == entry["slug"])).first()
        fields = {k: v for k, v in entry.items() if k not in ("slug", "coverage")}
        if desk is None:
            desk = service.create_desk(
                session, DeskCreate(slug=entry["slug"], coverage=_coverage(entry), **fields),
                regions_index=index, taxonomy=taxonomy)
            desk.seed_digest = digest
            session.add(desk)
            added += 1
        elif desk.seed_digest != digest:
            update = DeskUpdate(coverage=_coverage(entry), **{
                k: v for k, v in fields.items() if k in DeskUpdate.model_fields})
            service.update_desk(session, desk, update)
            for key in ("is_fallback",):
                if key in fields:
                    setattr(desk, key, fields[key])
            desk.seed_digest = digest
            desk.updated_at = utcnow()
            session.add(desk)
            updated += 1
        else:
            unchanged += 1
    session.flush()
    service.invalidate()
    return added, updated, unchanged


def entries_for(settings: Settings, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The desks to load: fictional demo desks (``is_demo``) only outside production."""
    if settings.env == "production":
        return [e for e in entries if not e.get("is_demo")]
    return entries


def seed_desks(db: Database, settings: Settings) -> str:
    entries = entries_for(settings, read_desks())
    with db.transaction() as s:
        added, updated, unchanged = apply_desks(s, entries)
    return f"desks: {added} added, {updated} updated, {unchanged} unchanged"
