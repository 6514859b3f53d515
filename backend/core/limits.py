"""Limits on the acts that create a case or queue mail, applied inside their service functions.

Every such act (asking a question, an entrepreneur's reply, a new private link, a login link,
a staff member's mail) calls :func:`enforce` with its row of the rate-limit table
(``backend.core.settings.RATE_LIMITS``) before it writes anything. So every door — the
question form, the API, the scan's "bespreken", an advisor's intake form, a CLI — is limited
the same way, and a door cannot forget: ``tests/security/test_doors_limited.py`` walks the
source for every route that reaches an act and fails when one gets there unlimited.

What the door saw is passed in a :class:`Door`, a small value object (client address,
honeypot field, consent, challenge answer), never the request. Keys:

- the client address is keyed per IPv4 address and per IPv6 **/64** (one household or
  office network; a /64 holds 2^64 addresses, so per-address keys there limit nothing);
- e-mail addresses and accounts by a keyed fingerprint (HMAC with the secret key).

Ceilings (scopes ``desk`` and ``site``) count an act for one desk and for the whole site.
Beyond a ceiling the act is not refused (that would let one flood shut every entrepreneur
out) and not silently accepted: the first time in a window it raises an alert (a structured
log line and an admin notice through the door's ``alert`` callback), and each act then has
to answer an escalating challenge (:mod:`backend.core.challenge`).

Counters are written in the caller's transaction (or Redis when configured). A refusal
(:class:`~backend.core.errors.TooManyRequests`, :class:`ChallengeRequired`) has
``keeps_writes``: the request's transaction is rolled back and only the counted hits and the
alert are written again (``backend.core.db.keep_refusal``), so refused attempts stay counted
and no half-done act survives.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

from backend.core import challenge as challenges
from backend.core.challenge import ChallengeRequired
from backend.core.errors import LoketError, TooManyRequests
from backend.core.i18n import N_
from backend.core.ratelimit import (
    Limit,
    SessionStore,
    Store,
    check,
    parse_limit,
    replay_after_rollback,
)
from backend.core.settings import RATE_LIMITS, Settings

log = logging.getLogger("loket.limits")

CEILINGS = ("desk", "site")


@dataclass(frozen=True)
class Alert:
    """A ceiling was reached: ``act`` at ``scope`` (``desk``/``site``), ``subject`` names it."""

    act: str
    scope: str
    subject: str
    limit: str
    level: int


@dataclass(frozen=True)
class Policy:
    """The effective table of one configuration, its secret, its store and its alert sink."""

    table: Mapping[str, Mapping[str, str]]
    secret: str
    store: Store | None = None  # Redis when configured; None: the caller's transaction
    alert: Callable[[Session, Alert], None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, store: Store | None = None,
                      alert: Callable[[Session, Alert], None] | None = None) -> Policy:
        return cls(settings.limits_table(), settings.secret_key, store, alert)

    def limit(self, act: str, scope: str) -> Limit:
        """The table's limit; a missing row is a programming error, never "unlimited"."""
        return parse_limit(self.table[act][scope])

    def fingerprint(self, value: str) -> str:
        digest = hmac.new(self.secret.encode(), value.strip().lower().encode(),
                          hashlib.sha256).hexdigest()
        return digest[:32]


@dataclass(frozen=True)
class Door:
    """What a door knows about who is knocking; the services take this, not the request."""

    address: str
    policy: Policy
    honeypot: str = ""  # the form's hidden field: people leave it empty
    consent: bool | None = None  # None: this door has no consent box of its own
    challenge: str = ""  # the signed challenge the form carried back
    answers: tuple[str, ...] = ()
    language: str = "nl"
    source: str = "web"
    # A logged-in advisor registering a question for someone else (the intake): counted per
    # advisor (``staff_mail.user``) instead of per address, and not asked for a challenge.
    staff_user: int | None = None

    @property
    def network(self) -> str:
        return address_key(self.address)


def address_key(address: str | None) -> str:
    """``203.0.113.7`` → itself; an IPv6 address → its /64; anything else as given."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]").split("%")[0])
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _store(session: Session, policy: Policy) -> Store:
    return policy.store if policy.store is not None else SessionStore(session)


def enforce(session: Session, policy: Policy, act: str, **keys: str | int | None) -> None:
    """Count one ``act`` under each given scope of its table row; raise TooManyRequests when
    one is over. ``address`` is keyed per network, ``email``/``account`` values by fingerprint;
    a scope given as None or "" is skipped (an optional e-mail address)."""
    row = policy.table[act]
    store = _store(session, policy)
    for scope, value in keys.items():
        if value is None or value == "":
            continue
        if scope not in row:
            raise KeyError(f"RATE_LIMITS[{act!r}] has no scope {scope!r}")
        check(store, f"{act}:{scope}:{_key(policy, scope, value)}", policy.limit(act, scope))


def _key(policy: Policy, scope: str, value: str | int) -> str:
    text = str(value)
    if scope == "address":
        return address_key(text)
    if scope in ("user", "case", "desk", "site"):
        return text[:64]
    return policy.fingerprint(text)


def over(session: Session, policy: Policy, act: str, scope: str, value: str | int) -> bool:
    """Count one hit of ``act`` under ``scope`` and tell whether it went over the limit,
    without refusing: for rules that slow down or change what is asked rather than refuse."""
    try:
        check(_store(session, policy), f"{act}:{scope}:{_key(policy, scope, value)}",
              policy.limit(act, scope))
    except TooManyRequests:
        return True
    return False


def full(session: Session, policy: Policy, act: str, scope: str, value: str | int) -> bool:
    """Whether ``act`` has used all of its ``scope`` limit, without counting a hit."""
    limit = policy.limit(act, scope)
    key = f"{act}:{scope}:{_key(policy, scope, value)}"
    return _estimate(session, policy, key, limit) >= limit.count


def _estimate(session: Session, policy: Policy, key: str, limit: Limit,
              *, now: float | None = None) -> float:
    """The sliding-window estimate of ``key`` without counting a hit."""
    now = time.time() if now is None else now
    store = _store(session, policy)
    peek = getattr(store, "peek", None)
    if peek is None:  # pragma: no cover - every store has one
        return 0.0
    previous, current = peek(f"{limit.seconds}:{key}", limit, now)
    elapsed = now - (int(now // limit.seconds) * limit.seconds)
    weight = max(0.0, (limit.seconds - elapsed) / limit.seconds)
    return float(previous * weight + current)


@dataclass
class Ceiling:
    scope: str
    subject: str  # what is shown in the alert: "site", a desk's slug
    key: str | int
    levels: dict[str, int] = field(default_factory=dict)


def ceilings(session: Session, door: Door, act: str, *, desk: str | int | None = None,
             desk_label: str = "", now: float | None = None) -> None:
    """Count ``act`` against its desk and site ceilings. Under both: nothing happens. Over
    one: alert once per window, then demand a challenge whose level grows with the excess;
    a valid answer lets the act through (each challenge works once)."""
    policy = door.policy
    now = time.time() if now is None else now
    row = policy.table[act]
    store = _store(session, policy)
    level = 0
    reached: list[Alert] = []
    for scope, value, subject in (("desk", desk, desk_label or str(desk)),
                                  ("site", "all", "site")):
        if scope not in row or value is None:
            continue
        limit = policy.limit(act, scope)
        key = f"{act}:{scope}:{value}"
        estimate = _hit_estimate(store, key, limit, now)
        if estimate <= limit.count:
            continue
        # 1 up to twice the ceiling, 2 up to three times, 3 beyond.
        here = max(1, min(challenges.MAX_LEVEL, math.ceil(estimate / limit.count) - 1))
        level = max(level, here)
        reached.append(Alert(act, scope, subject, str(limit), here))
    if not level:
        return
    for alert in reached:
        _alert_once(session, door, alert, now)
    challenges.require(policy.secret, act, level, token=door.challenge, answers=door.answers,
                       language=door.language, first_use=lambda key: _first_use(store, key, now),
                       now=now)


def _hit_estimate(store: Store, key: str, limit: Limit, now: float) -> float:
    previous, current = store.hit(f"{limit.seconds}:{key}", limit, now)
    elapsed = now - (int(now // limit.seconds) * limit.seconds)
    weight = max(0.0, (limit.seconds - elapsed) / limit.seconds)
    return previous * weight + current


def _first_use(store: Store, key: str, now: float) -> bool:
    try:
        check(store, key, f"1/{challenges.VALID_SECONDS}", now=now)
    except TooManyRequests:
        return False
    return True


def _alert_once(session: Session, door: Door, alert: Alert, now: float) -> None:
    store = _store(session, door.policy)
    window = parse_limit(alert.limit).seconds
    try:
        check(store, f"alert:{alert.act}:{alert.scope}:{alert.subject}"[:150], f"1/{window}",
              now=now)
    except TooManyRequests:
        return  # alerted already in this window
    log.warning("rate ceiling reached", extra={
        "event": "limits.ceiling_reached", "act": alert.act, "scope": alert.scope,
        "subject": alert.subject, "limit": alert.limit, "level": alert.level})
    sink = door.policy.alert
    if sink is not None:
        sink(session, alert)
        replay_after_rollback(session, lambda s: sink(s, alert))  # kept if the act is refused


def staff_act(session: Session, user_id: int | None, policy: Policy | None = None) -> None:
    """A staff member's act that mails someone (an answer, an assignment, a hand-off, a group
    invitation, an intake): ``staff_mail.user`` of the table, per user, in the caller's
    transaction. Generous; it stops a stolen session or token from turning Loket into a mail
    cannon. A door's ``policy`` (the configured table) counts where the act has a door (the
    intake); the workspace's acts use the shipped row."""
    limit: str | Limit = (policy.limit("staff_mail", "user") if policy is not None
                          else RATE_LIMITS["staff_mail"]["user"])
    check(SessionStore(session), f"staff_mail:user:{user_id or 0}", limit)


def case_act(session: Session, act: str, case_id: int) -> None:
    """An entrepreneur's act on their own case that mails someone (booking or cancelling an
    appointment): ``RATE_LIMITS[act]["case"]``, per case, in the caller's transaction. The
    private link is the key, so the case is the natural subject."""
    check(SessionStore(session), f"{act}:case:{case_id}", RATE_LIMITS[act]["case"])


def check_honeypot(door: Door) -> None:
    if door.honeypot.strip():
        raise SpamSuspected()


class SpamSuspected(LoketError):
    status_code = 422
    code = "honeypot"
    message = N_("Your question was not sent: a field that people do not see was filled in, "
                 "which is what automated spam does. Please check the form and send it again.")


__all__ = ["CEILINGS", "RATE_LIMITS", "Alert", "ChallengeRequired", "Door", "Policy",
           "SpamSuspected", "address_key", "ceilings", "check_honeypot", "enforce", "full", "over",
           "staff_act"]
