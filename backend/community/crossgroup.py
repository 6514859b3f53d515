"""The comparison across groups (docs/disclosure.md, rule 5).

A KPI added from a ready-made template compares with the same template in other groups; a
period compares with the periods of the same label. When a group that allows it closes a
period, the frozen values of its firms join the pool of every (template, label, sector, size
class) cell, and a new version of each cell is published when :func:`disclosure.next_version`
allows. Versions are only ever added; a member sees the latest one of its own cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from backend.community import disclosure as dc
from backend.community.models import BenchmarkPeriod, CrossGroupStat, FrozenValue, Kpi


def latest_versions(session: Session, *, templates: Sequence[str], labels: Sequence[str],
                    sector: str | None = None, size_class: str | None = None
                    ) -> dict[tuple[str, str, str, str], CrossGroupStat]:
    """(template, label, sector, size class) → the latest published version."""
    if not templates or not labels:
        return {}
    query = select(CrossGroupStat).where(col(CrossGroupStat.template).in_(templates),
                                         col(CrossGroupStat.label).in_(labels))
    if sector is not None:
        query = query.where(CrossGroupStat.sector == sector)
    if size_class is not None:
        query = query.where(CrossGroupStat.size_class == size_class)
    out: dict[tuple[str, str, str, str], CrossGroupStat] = {}
    for row in session.exec(query).all():
        key = (row.template, row.label, row.sector, row.size_class)
        if key not in out or out[key].version < row.version:
            out[key] = row
    return out


def _range(template: str) -> tuple[float | None, float | None]:
    """The template's declared range: every group's KPI from it has the same one."""
    # cycle: benchmarks imports this module (refresh, latest_versions)
    from backend.community.benchmarks import TEMPLATES_BY_KEY

    t = TEMPLATES_BY_KEY.get(template)
    return (None, None) if t is None else (t.min_value, t.max_value)


def refresh(session: Session, label: str, templates: Iterable[str]) -> int:
    """Publish the new versions that the pools of ``label`` allow; returns how many."""
    templates = sorted(set(templates))
    if not templates:
        return 0
    rows = session.exec(
        select(FrozenValue, BenchmarkPeriod.group_id, Kpi.template)
        .join(BenchmarkPeriod, col(BenchmarkPeriod.id) == col(FrozenValue.period_id))
        .join(Kpi, col(Kpi.id) == col(FrozenValue.kpi_id))
        .where(BenchmarkPeriod.label == label, col(BenchmarkPeriod.cross_group).is_(True),
               col(BenchmarkPeriod.closed_at).is_not(None), col(Kpi.template).in_(templates))
    ).all()
    cells: dict[tuple[str, str, str], list[dc.Contribution]] = {}
    period_ids: dict[tuple[str, str, str], set[int]] = {}
    for fv, group_id, template in rows:
        assert template is not None
        key = (template, fv.sector, fv.size_class)
        cells.setdefault(key, []).append(
            dc.Contribution(group=group_id, period=fv.period_id, firm=fv.firm_id, value=fv.value))
        period_ids.setdefault(key, set()).add(fv.period_id)
    current = latest_versions(session, templates=templates, labels=[label])
    added = 0
    for (template, sector, size), contributions in sorted(cells.items()):
        latest = current.get((template, label, sector, size))
        published = frozenset(latest.period_ids) if latest is not None else frozenset()
        stats = dc.next_version(contributions, published, *_range(template))
        if stats is None:
            continue
        session.add(CrossGroupStat(
            template=template, label=label, sector=sector, size_class=size,
            version=(latest.version + 1) if latest is not None else 1,
            period_ids=sorted(period_ids[(template, sector, size)]),
            n=stats.n, reason=stats.reason, q1=stats.q1, median=stats.median, q3=stats.q3))
        added += 1
    session.flush()
    return added
