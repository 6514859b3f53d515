"""Saved profiles and their alerts: one e-mail per event (a new fitting scheme, or a fitting
scheme that closes within 14 days), made unique by the outbox's ``dedupe_key``.

The content service has no publish hook, so a periodic job checks every saved profile; a
repeat of the job (or a second worker) finds the same events and the dedupe keys drop them.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from backend.accounts import queries as accounts_q
from backend.accounts.queries import UserInfo
from backend.core.db import utcnow
from backend.core.errors import NotFound
from backend.core.i18n import gettext_ as _
from backend.core.mail import send_mail
from backend.core.outbox import WorkerContext
from backend.core.worker import periodic
from backend.schemes import service
from backend.schemes.eligibility import CLOSING_SOON_DAYS, FITS, SchemeMatch
from backend.schemes.models import SavedScheme, SchemeProfile


def params_of(profile: SchemeProfile) -> service.ProfileParams:
    return service.ProfileParams.build(size=profile.size, sector=profile.sector,
                                       municipality=profile.municipality,
                                       themes=profile.themes, cost_kind=profile.cost_kind,
                                       amount=profile.amount)


def finder_url(profile: SchemeProfile) -> str:
    p = params_of(profile)
    pairs = [(k, v) for k, v in (("size", p.size), ("sector", p.sector),
                                 ("municipality", p.municipality), ("cost_kind", p.cost_kind))
             if v]
    pairs += [("theme", t) for t in p.themes]
    if p.amount is not None:
        pairs.append(("amount", str(p.amount)))
    return "/regelingen/zoeker" + ("?" + urlencode(pairs) if pairs else "")


def save_profile(session: Session, user_id: int, params: service.ProfileParams,
                 name: str = "") -> SchemeProfile:
    """Validate (``Invalid`` names a bad field) and store the profile."""
    service.resolve_profile(session, params)
    profile = SchemeProfile(user_id=user_id, name=name.strip()[:200], size=params.size,
                            sector=params.sector, municipality=params.municipality,
                            themes=list(params.themes), cost_kind=params.cost_kind,
                            amount=params.amount)
    session.add(profile)
    session.flush()
    return profile


def profiles_of(session: Session, user_id: int) -> list[SchemeProfile]:
    return list(session.exec(select(SchemeProfile).where(SchemeProfile.user_id == user_id)
                             .order_by(col(SchemeProfile.id))))


def delete_profile(session: Session, user_id: int, profile_id: int) -> None:
    profile = session.get(SchemeProfile, profile_id)
    if profile is None or profile.user_id != user_id:
        raise NotFound()  # someone else's profile: not found, so ids cannot be probed
    session.delete(profile)
    session.flush()


def events_for(profile: SchemeProfile, matches: list[SchemeMatch]
               ) -> list[tuple[str, SchemeMatch]]:
    """("new" | "closing", match) for the fitting schemes that are news for this profile."""
    out: list[tuple[str, SchemeMatch]] = []
    for m in matches:
        if m.verdict != FITS or m.is_closed:
            continue
        published = m.scheme.published_at
        if published is not None and published > profile.created_at:
            out.append(("new", m))
        if m.days_left is not None and 0 <= m.days_left <= CLOSING_SOON_DAYS:
            out.append(("closing", m))
    return out


def _mail(session: Session, email: str, kind: str, m: SchemeMatch, profile: SchemeProfile,
          base_url: str) -> bool:
    s = m.scheme
    if kind == "new":
        subject = _("New scheme for your profile: %(title)s", title=s.title)
        intro = _("A new scheme fits the profile you saved in Loket.")
        key = f"schemes.new:{profile.id}:{s.id}"
    else:
        subject = _("Closes soon: %(title)s", title=s.title)
        intro = _("A scheme that fits your saved profile closes on %(date)s.",
                  date=s.closes_on.isoformat() if s.closes_on else "")
        key = f"schemes.closing:{profile.id}:{s.id}:{s.closes_on}"
    why = "\n".join(f"- {r.text}" for r in m.why)
    text = "\n\n".join([
        intro, s.title, why, _("Read more: %(url)s", url=base_url + s.url),
        _("All schemes for your profile: %(url)s", url=base_url + finder_url(profile)),
        _("You receive this e-mail because you saved a profile in the scheme finder. Stop "
          "these e-mails at %(url)s.", url=base_url + "/regelingen/mijn-profielen"),
    ])
    return send_mail(session, to=email, subject=subject, text=text, dedupe_key=key) is not None


def check_profile(session: Session, profile: SchemeProfile, *, base_url: str = "",
                  on: date | None = None) -> int:
    """Queue the mails for one profile's events; returns how many were new."""
    user = accounts_q.user(session, profile.user_id)
    if user is None or not user.is_active or not profile.alerts:
        return 0
    try:
        result = service.find_schemes(session, params_of(profile), on=on)
    except Exception:  # a profile that no longer validates (a theme was removed) is skipped
        return 0
    sent = sum(_mail(session, user.email, kind, m, profile, base_url)
               for kind, m in events_for(profile, result.matches))
    profile.last_checked_at = utcnow()
    session.add(profile)
    session.flush()
    return sent


# --- saved schemes ----------------------------------------------------------------------------

def save_scheme(session: Session, user_id: int, slug: str) -> SavedScheme:
    """Save a published scheme for the user (saving it again changes nothing)."""
    scheme = next((s for s in service.published_schemes(session) if s.slug == slug), None)
    if scheme is None:
        raise NotFound()
    found = session.exec(select(SavedScheme).where(SavedScheme.user_id == user_id,
                                                   SavedScheme.item_id == scheme.id)).first()
    if found is not None:
        return found
    saved = SavedScheme(user_id=user_id, item_id=scheme.id)
    session.add(saved)
    session.flush()
    return saved


def delete_saved_scheme(session: Session, user_id: int, saved_id: int) -> None:
    saved = session.get(SavedScheme, saved_id)
    if saved is None or saved.user_id != user_id:
        raise NotFound()
    session.delete(saved)
    session.flush()


def saved_schemes_of(session: Session, user_id: int, *, on: date | None = None
                     ) -> list[tuple[SavedScheme, SchemeMatch]]:
    """The user's saved schemes that are still published, with their status and days left."""
    saved = {s.item_id: s for s in session.exec(select(SavedScheme).where(
        SavedScheme.user_id == user_id).order_by(col(SavedScheme.id)))}
    if not saved:
        return []
    result = service.find_schemes(session, service.ProfileParams.build(), include_closed=True,
                                  on=on)
    return [(saved[m.scheme.id], m) for m in result.matches if m.scheme.id in saved]


OPENING_SOON_DAYS = 7


def check_saved_schemes(session: Session, user: UserInfo, *, base_url: str = "",
                        on: date | None = None) -> int:
    """One e-mail per saved scheme that closes within 14 days (per closing date), and one
    that opens within 7 days (per opening date)."""
    if not user.is_active:
        return 0
    sent = 0
    today_ = on or date.today()
    for _saved, m in saved_schemes_of(session, user.id, on=on):
        s = m.scheme
        if s.opens_on is not None and 0 <= (s.opens_on - today_).days <= OPENING_SOON_DAYS:
            # "Opent op …": a reminder before a window opens (first come, first served and
            # lottery rounds are often gone on their first day).
            text = "\n\n".join([
                _("A scheme you saved opens on %(date)s.", date=s.opens_on.isoformat()),
                s.title, _("Prepare a complete application before it opens: %(url)s",
                           url=base_url + s.url),
                _("You receive this e-mail because you saved this scheme in Loket. Your saved "
                  "schemes: %(url)s", url=base_url + "/regelingen/mijn-profielen"),
            ])
            key = f"schemes.saved_opening:{user.id}:{s.id}:{s.opens_on}"
            sent += send_mail(session, to=user.email, subject=_("Opens soon: %(title)s",
                                                                title=s.title),
                              text=text, dedupe_key=key) is not None
        if m.is_closed or m.days_left is None or not 0 <= m.days_left <= CLOSING_SOON_DAYS:
            continue
        text = "\n\n".join([
            _("A scheme you saved closes on %(date)s.",
              date=s.closes_on.isoformat() if s.closes_on else ""),
            s.title, _("Read more: %(url)s", url=base_url + s.url),
            _("You receive this e-mail because you saved this scheme in Loket. Your saved "
              "schemes: %(url)s", url=base_url + "/regelingen/mijn-profielen"),
        ])
        key = f"schemes.saved_closing:{user.id}:{s.id}:{s.closes_on}"
        sent += send_mail(session, to=user.email, subject=_("Closes soon: %(title)s",
                                                            title=s.title),
                          text=text, dedupe_key=key) is not None
    return sent


def check_all(session: Session, *, base_url: str = "", on: date | None = None) -> int:
    profiles = session.exec(select(SchemeProfile).where(col(SchemeProfile.alerts).is_(True))
                            .order_by(col(SchemeProfile.id))).all()
    sent = sum(check_profile(session, p, base_url=base_url, on=on) for p in profiles)
    saver_ids = session.exec(select(SavedScheme.user_id).distinct()).all()
    savers = accounts_q.users(session, saver_ids)
    return sent + sum(check_saved_schemes(session, u, base_url=base_url, on=on)
                      for u in savers.values())


@periodic("schemes.alerts", every=timedelta(hours=1))
def _alerts_job(ctx: WorkerContext) -> None:
    with ctx.db.transaction() as session:
        check_all(session, base_url=ctx.settings.base_url)
