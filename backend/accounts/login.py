"""Login rules shared by the three ways in: SSO (OIDC), one-time e-mail link, break-glass password.

Every outcome is audited: ``auth.login`` (with ``method``) or ``auth.login_failed`` (with
``method`` and a ``reason`` code; for a typed e-mail address only its keyed fingerprint).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from sqlmodel import Session, col, select, update

from backend.accounts import service
from backend.accounts.models import LoginLink, User
from backend.core import limits
from backend.core.db import utcnow
from backend.core.domain import registrations_complete
from backend.core.errors import Conflict, Forbidden, Invalid, TooManyRequests
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.limits import Door
from backend.core.mail import send_mail
from backend.core.security import sha256_hex
from backend.core.settings import Settings

OIDC, EMAIL_LINK, PASSWORD = "oidc", "email_link", "password"


class LoginRefused(Forbidden):
    """A login that must not succeed; ``code`` is the audited reason."""

    code = "login_refused"
    message = N_("Logging in did not succeed.")


def complete_login(session: Session, user: User, *, method: str, ip: str | None) -> None:
    """Everything but the session itself (``sessions.login``): timestamp and audit."""
    user.last_login_at = utcnow()
    session.add(user)
    service.record_audit(session, "auth.login", actor_user_id=user.id, target_type="user",
                         target_id=user.id, ip=ip, method=method)


def record_failed_login(session: Session, *, method: str, reason: str, ip: str | None,
                        settings: Settings, email: str | None = None,
                        user_id: int | None = None, **extra: Any) -> None:
    details: dict[str, Any] = {"method": method, "reason": reason, **extra}
    if email:
        details["email_hash"] = service.email_fingerprint(email, settings.secret_key)
    service.record_audit(session, "auth.login_failed", target_type="user" if user_id else None,
                         target_id=user_id, ip=ip, **details)


# --- one-time e-mail links --------------------------------------------------------------------

# Who may get an account by asking for a login link. A higher domain registers a check (the
# community: an open group invitation for the address), so an invited person without an
# account is not left at "check your e-mail" with no mail. The account is bound to the address,
# and only the link mailed there logs in: a forwarded invitation alone is no key.
AccountOffer = Callable[[Session, str], bool]
_account_offers: list[AccountOffer] = []


def register_account_offer(check: AccountOffer) -> AccountOffer:
    if check not in _account_offers:
        _account_offers.append(check)
    return check


def _offered_account(session: Session, email: str, ip: str | None) -> User | None:
    registrations_complete()  # the community registers its offer
    if not any(check(session, email) for check in _account_offers):
        return None
    try:
        return service.create_user(session, email, ip=ip, method="invitation")
    except (Invalid, Conflict):  # an address like another account's: no account for it
        return None


def request_login_link(session: Session, email: str, *, settings: Settings, door: Door,
                       next_url: str | None = None) -> bool:
    """Send a login link if ``email`` belongs to an active user. The caller shows the same
    answer either way; the return value is for tests and logs only.

    Limited (``TooManyRequests``) per person behind an address (e-mail + address) and per
    e-mail address (mail bombing a victim from many addresses); an address is never shut
    out as a whole: beyond ``login_link.address`` it is slowed to ``address_slow`` (one
    link a minute by default), so a busy office behind one address still gets its links."""
    policy = door.policy
    limits.enforce(session, policy, "login_link",
                   address_email=f"{door.network}|{email.strip().lower()}", email=email)
    if limits.over(session, policy, "login_link", "address", door.address):
        limits.enforce(session, policy, "login_link", address_slow=door.network)
    ip = door.address
    user = service.get_user_by_email(session, email) or _offered_account(session, email, ip)
    if user is None or not user.is_active:
        record_failed_login(session, method=EMAIL_LINK, ip=ip, settings=settings, email=email,
                            reason="unknown_user" if user is None else "inactive",
                            user_id=user.id if user else None)
        return False
    assert user.id is not None
    plain = secrets.token_urlsafe(32)  # 256 bits
    minutes = settings.login_link_minutes
    link = LoginLink(token_hash=sha256_hex(plain), user_id=user.id,
                     expires_at=utcnow() + timedelta(minutes=minutes))
    session.add(link)
    session.flush()
    url = f"{settings.base_url.rstrip('/')}/inloggen/link/{plain}"
    if next_url:
        url += "?next=" + quote(next_url, safe="/")
    text = _(
        "Hello,\n\nUse this link to log in to Loket:\n\n%(url)s\n\n"
        "The link works once and expires in %(minutes)s minutes. "
        "If you did not ask for it, you can ignore this e-mail: nobody can log in "
        "without it.\n",
        url=url, minutes=minutes)
    send_mail(session, to=user.email, subject=_("Your login link for Loket"), text=text)
    service.record_audit(session, "auth.link_sent", target_type="user", target_id=user.id,
                         ip=ip, link_id=link.id)
    return True


def find_login_link(session: Session, plain: str) -> LoginLink | None:
    """The link if it can still be used (read-only: for the confirmation page)."""
    if not plain or len(plain) > 100:
        return None
    link = session.exec(select(LoginLink).where(
        LoginLink.token_hash == sha256_hex(plain))).first()
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link


def use_login_link(session: Session, plain: str, *, settings: Settings, door: Door) -> User:
    """Spend a link and return its user; raises :class:`LoginRefused` (or
    ``TooManyRequests`` for an address guessing links).

    One atomic ``UPDATE … WHERE used_at IS NULL … RETURNING`` spends it, so two concurrent
    requests with the same link cannot both log in.
    """
    limits.enforce(session, door.policy, "login_link_use", address=door.address)
    ip = door.address
    now = utcnow()
    token_hash = sha256_hex(plain) if plain and len(plain) <= 100 else ""
    row = session.execute(
        update(LoginLink)
        .where(col(LoginLink.token_hash) == token_hash, col(LoginLink.used_at).is_(None),
               col(LoginLink.expires_at) > now)
        .values(used_at=now)
        .returning(col(LoginLink.id), col(LoginLink.user_id))
    ).first()
    if row is None:
        existing = session.exec(select(LoginLink).where(
            LoginLink.token_hash == token_hash)).first() if token_hash else None
        reason = ("unknown_link" if existing is None
                  else "used_link" if existing.used_at is not None else "expired_link")
        record_failed_login(session, method=EMAIL_LINK, reason=reason, ip=ip, settings=settings,
                            user_id=existing.user_id if existing else None)
        raise LoginRefused(code=reason)
    link_id, user_id = row
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        record_failed_login(session, method=EMAIL_LINK, reason="inactive", ip=ip,
                            settings=settings, user_id=user_id)
        raise LoginRefused(code="inactive")
    # Older links of this user are spent too: the newest login wins.
    session.execute(update(LoginLink)
                    .where(col(LoginLink.user_id) == user_id, col(LoginLink.used_at).is_(None))
                    .values(used_at=now))
    service.record_audit(session, "auth.link_used", actor_user_id=user_id, target_type="user",
                         target_id=user_id, ip=ip, link_id=link_id)
    complete_login(session, user, method=EMAIL_LINK, ip=ip)
    return user


# --- break-glass password -------------------------------------------------------------------

def password_login(session: Session, email: str, password: str, *, settings: Settings,
                   door: Door) -> User | None:
    """The user on success; ``None`` (audited) otherwise. Unknown users cost one argon2
    verification too, so timing does not tell whether an account exists.

    Limits (``TooManyRequests``), designed so that failing on purpose cannot lock anyone out:
    every attempt counts for its address (an attacker's address backs off); failures count
    for the account, and an account beyond ``account_failures`` admits only
    ``address_account_failures`` failed tries per address: a clean address (the admin's
    own) still gets its try with the right password, an address that already failed on
    this account waits."""
    policy = door.policy
    limits.enforce(session, policy, "password_login", address=door.address)
    account = email.strip().lower()
    per_address = f"{door.network}|{account}"
    if account and limits.full(session, policy, "password_login", "account_failures",
                               account) and limits.full(
            session, policy, "password_login", "address_account_failures", per_address):
        raise TooManyRequests(policy.limit("password_login", "address_account_failures")
                              .seconds)
    ip = door.address
    user = service.get_user_by_email(session, email) if email.strip() else None
    ok = service.verify_password(user, password)
    if (not ok or user is None) and account:
        limits.over(session, policy, "password_login", "account_failures", account)
        limits.over(session, policy, "password_login", "address_account_failures",
                    per_address)
    if not ok or user is None:
        reason = ("unknown_user" if user is None else
                  "no_password" if not user.password_hash else "wrong_password")
        record_failed_login(session, method=PASSWORD, reason=reason, ip=ip, settings=settings,
                            email=email if user is None else None,
                            user_id=user.id if user else None)
        return None
    if not user.is_active:
        record_failed_login(session, method=PASSWORD, reason="inactive", ip=ip,
                            settings=settings, user_id=user.id)
        return None
    service.rehash_if_needed(session, user, password)
    complete_login(session, user, method=PASSWORD, ip=ip)
    return user


# --- SSO (OpenID Connect) --------------------------------------------------------------------

def oidc_account(session: Session, claims: dict[str, Any], *, ip: str | None) -> User:
    """Find, link or create the account for verified OIDC claims; raises LoginRefused.

    1. A user whose ``oidc_subject`` is the ``sub`` claim: that user.
    2. Else a user with the claimed e-mail address, only if the provider says the address
       is verified (``email_verified: true``); the subject is linked to that account. An
       unverified claim must not take over an existing account.
    3. Else a new account *without roles* (just-in-time provisioning): signing in grants
       nothing; an admin grants roles. Refused when the provider says the address is not
       verified, or gives none.
    """
    subject = str(claims.get("sub") or "")
    if not subject or len(subject) > 255:
        raise LoginRefused(code="no_subject")
    user = session.exec(select(User).where(User.oidc_subject == subject)).first()
    if user is None:
        email = service.normalise_email(str(claims.get("email") or ""))
        verified = claims.get("email_verified")
        if not email or "@" not in email:
            raise LoginRefused(code="no_email")
        if verified is False or verified in ("false", "False"):
            raise LoginRefused(code="email_unverified")
        user = service.get_user_by_email(session, email)
        if user is not None:
            if verified is not True and verified not in ("true", "True"):
                raise LoginRefused(code="email_unverified")
            if user.oidc_subject:
                raise LoginRefused(code="subject_conflict")
            user.oidc_subject = subject
            session.add(user)
            session.flush()
            service.record_audit(session, "user.sso_linked", actor_user_id=user.id,
                                 target_type="user", target_id=user.id, ip=ip)
        else:
            name = str(claims.get("name") or "").strip()
            if service.lookalike_user(session, email) is not None:
                raise LoginRefused(code="email_lookalike")
            user = service.create_user(session, email, name=name, ip=ip, method=OIDC)
            user.oidc_subject = subject
            session.add(user)
            session.flush()
    if not user.is_active:
        raise LoginRefused(code="inactive")
    if not user.name and claims.get("name"):
        user.name = str(claims["name"]).strip()[:200]
        session.add(user)
    return user
