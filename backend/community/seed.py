"""Idempotent loader of the example groups in ``seed/groups.yaml``."""

from __future__ import annotations

import random
from typing import Any

from sqlmodel import Session, select

from backend.community import benchmarks as bm
from backend.community import service
from backend.community.models import COORDINATOR, MEMBER, Firm, Group, GroupPost, KpiFigure
from backend.core.db import Database
from backend.core.settings import ROOT, Settings

GROUPS_FILE = ROOT / "seed" / "groups.yaml"


def load_groups(db: Database, settings: Settings) -> str:
    if not GROUPS_FILE.exists():
        return "groups: no seed file"
    import yaml  # lazy: PyYAML is 10 ms of a cold start; only seeding and editing read YAML

    data = yaml.safe_load(GROUPS_FILE.read_text(encoding="utf-8")) or {}
    created = 0
    with db.transaction() as session:
        for spec in data.get("groups") or []:
            if session.exec(select(Group).where(Group.slug == spec["slug"])).first():
                continue
            _load_group(session, spec)
            created += 1
    return f"groups: {created} example group(s) added"


def _load_group(session: Session, spec: dict[str, Any]) -> None:
    group = service.create_group(session, slug=spec["slug"], name=spec["name"],
                                 purpose=spec.get("purpose", ""), sector=spec.get("sector", ""),
                                 region=spec.get("region", ""), is_example=True)
    group.allow_cross_group = bool(spec.get("allow_cross_group", False))
    session.add(group)
    firms: list[Firm] = []
    for i, f in enumerate(spec.get("firms") or [], start=1):
        firm = service.create_firm(session, name=f["name"], sector=f["sector"],
                                   size_class=f["size"], is_example=True)
        service.add_member(session, group, firm,
                           role=COORDINATOR if i == spec.get("coordinator", 1) else MEMBER)
        firms.append(firm)
    for key in spec.get("kpis") or {}:
        if key not in {k.key for k in bm.kpis(session, group)}:
            bm.add_template(session, group, key)
    kpis = {k.key: k for k in bm.kpis(session, group)}
    periods = [bm.add_period(session, group, label) for label in spec.get("periods") or []]
    rng = random.Random(spec["slug"])  # invented example figures, reproducible
    for firm in firms:
        for key, params in (spec.get("kpis") or {}).items():
            kpi = kpis[key]
            if kpi.formula or not params:
                continue
            level = params["mean"] * (1 + rng.uniform(-params["spread"], params["spread"]))
            for n, period in enumerate(periods):
                value = level * (1 + params.get("trend", 0) * n) * (1 + rng.uniform(-0.03, 0.03))
                if kpi.max_value is not None:
                    value = min(value, kpi.max_value)
                assert period.id is not None and firm.id is not None and kpi.id is not None
                session.add(KpiFigure(period_id=period.id, firm_id=firm.id, kpi_id=kpi.id,
                                      value=round(value, 2)))
    session.flush()
    for period in periods[:-1]:
        bm.freeze_period(session, group, period)
    for post in spec.get("posts") or []:
        firm = firms[post["firm"] - 1]
        assert group.id is not None
        session.add(GroupPost(group_id=group.id, firm_id=firm.id, title=post.get("title", ""),
                              body_md=post["body"]))
    session.flush()
