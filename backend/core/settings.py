"""All configuration in one place: environment variables with the ``LOKET_`` prefix."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-secret-change-me"  # noqa: S105 - the known default that production refuses
ROOT = Path(__file__).resolve().parents[2]
# "N/seconds" with both at least 1; checked at start-up so a typo never becomes a 500 later.
RATE_LIMIT_PATTERN = r"^\s*[1-9][0-9]*/[1-9][0-9]*\s*$"

# The rate-limit table: every limit on every act, in one place (as Zulip's RATE_LIMITING_RULES).
# act → scope → "N/seconds". The act's service function applies its row
# (``backend.core.limits``); no route counts anything itself. Scopes:
#   address        the client's IPv4 address, or its IPv6 /64 (one household or office network)
#   email          the e-mail address involved (a keyed fingerprint, never the address itself)
#   address_email  both together: one person behind a shared office address
#   case, user     the case replied to; the staff member acting
#   account_failures, address_account_failures
#                  failed passwords for one account, and from one address for that account
#   address_slow   beyond ``address``: the pace one address is slowed to (not a refusal)
#   desk, site     ceilings: beyond them the act raises an alert (log + admin notice) and
#                  asks for an escalating challenge instead of refusing or silently accepting
# LOKET_RATE_LIMITS (JSON, same shape) overrides single entries, e.g.
# LOKET_RATE_LIMITS='{"ask_question": {"site": "500/3600"}}'.
# Service-level targets (the SLA), in working hours. They live once, in each desk's data
# (``desk.first_response_hours``, ``desk.escalate_after_hours``); these are the one default
# for a desk that has not set them: the first-response target, and the escalation to the
# fallback desk of a case still without a first response after this factor times the target
# (``routing.models.Desk.escalation_hours``; the SLA watch is ``backend/cases/sla.py``).
SLA_FIRST_RESPONSE_HOURS = 16
SLA_ESCALATION_FACTOR = 2

RATE_LIMITS: dict[str, dict[str, str]] = {
    # A question (form, API, the scan's "bespreken", any future door): cases.service.ask_question
    "ask_question": {"address": "10/3600", "email": "5/86400", "desk": "40/3600",
                     "site": "200/3600"},
    # The entrepreneur's reply on their case page (mails the desk): entrepreneur_reply
    "entrepreneur_reply": {"address": "20/3600", "case": "10/3600"},
    # A new private link by mail: cases.service.resend_link
    "resend_link": {"address": "10/3600", "email": "3/3600"},
    # Using a private link (no mail, but guessing links must stay slow)
    "follow_link": {"address": "30/300"},
    # A login link by mail: accounts.login.request_login_link. Per person behind an address;
    # a busy office address is slowed to one link a minute, never shut out.
    "login_link": {"address_email": "3/900", "email": "10/3600", "address": "20/900",
                   "address_slow": "1/60"},
    # Spending a login link
    "login_link_use": {"address": "10/300"},
    # Break-glass password: addresses back off; an account under attack admits one try per
    # clean address, so failing on purpose cannot lock the admin out.
    "password_login": {"address": "10/300", "account_failures": "5/900",
                       "address_account_failures": "1/900"},
    # Booking, moving or cancelling an appointment from the private link (mails both sides):
    # cases.appointments.book / cancel
    "appointment": {"case": "10/3600"},
    # Staff acts that mail someone (answers, assignments, hand-offs, group invitations)
    "staff_mail": {"user": "600/3600"},
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOKET_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    secret_key: str = DEV_SECRET
    # Where `loket serve` listens (`make run PORT=8080`). The public address, base_url, follows
    # them unless it is set: every link in a mail then points to the port actually served.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    base_url: str = ""  # empty: http://<host>:<port> (127.0.0.1 for a wildcard host)
    database_url: str = "sqlite:///./var/loket.db"
    var_dir: Path = Path("./var")

    # search
    search_backend: Literal["embedded", "meilisearch"] = "embedded"
    search_path: Path = Path("./var/search")
    meili_url: str | None = None
    meili_key: str | None = None
    meili_index: str = "loket"

    # mail: without an SMTP URL mail stays in the outbox, readable by admins
    smtp_url: str | None = None  # smtp://user:pass@host:587?starttls=1 or smtps://host:465
    mail_from: str = "Loket <noreply@loket.example>"

    # login
    oidc_discovery_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_name: str = "SSO"
    oidc_scopes: str = "openid email profile"
    session_idle_minutes: int = Field(default=60, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    login_link_minutes: int = Field(default=15, ge=1)

    # rate limits: RATE_LIMITS above; counters live in the database, or Redis when configured
    redis_url: str | None = None
    rate_limits: dict[str, dict[str, str]] = Field(default_factory=dict)
    # Older single settings, kept as overrides of one table entry each:
    rate_limit_login: str | None = Field(  # password_login.address, login_link_use.address
        default=None, pattern=RATE_LIMIT_PATTERN)
    rate_limit_email_link: str | None = Field(  # login_link.address_email and .email
        default=None, pattern=RATE_LIMIT_PATTERN)
    rate_limit_ask_ip: str | None = Field(  # ask_question.address
        default=None, pattern=RATE_LIMIT_PATTERN)
    rate_limit_ask_email: str | None = Field(  # ask_question.email
        default=None, pattern=RATE_LIMIT_PATTERN)

    # worker
    worker_in_process: bool = True
    worker_poll_seconds: float = Field(default=0.5, gt=0)
    # 16 attempts: retried for about five hours (2, 4, … s, then hourly) before a message is
    # parked, so an SMTP or search outage of an afternoon loses nothing (docs/operations.md).
    outbox_max_attempts: int = Field(default=16, ge=1)
    outbox_keep_days: int = Field(default=30, ge=1)  # delivered messages and kept mail

    # privacy: retention periods in days; docs/privacy.md gives the legal basis of each
    retention_case_days: int = Field(default=365, ge=1)  # closed cases: anonymised after
    retention_stale_case_days: int = Field(default=365, ge=1)  # open, untouched: anonymised
    retention_account_days: int = Field(default=730, ge=1)  # no login: account erased
    retention_login_link_days: int = Field(default=1, ge=1)  # spent/expired login links
    retention_audit_days: int = Field(default=730, ge=1)  # audit entries deleted
    retention_audit_ip_days: int = Field(default=90, ge=1)  # IP addresses cleared
    retention_scan_link_days: int = Field(default=365, ge=1)  # anonymous scans: link dropped
    retention_former_member_days: int = Field(default=365, ge=1)  # figures of firms that left
    retention_failed_outbox_days: int = Field(default=90, ge=1)  # parked outbox messages

    # operations
    log_level: str = "INFO"
    log_json: bool = True
    metrics_enabled: bool = True
    metrics_token: str | None = None  # when set, /metrics requires "Authorization: Bearer <token>"
    # Outside development /metrics needs metrics_token, unless this says the port is private.
    metrics_public: bool = False
    trusted_hosts: str = "*"
    # Peers whose X-Forwarded-For/-Proto are believed (the reverse proxy): the client address
    # for rate limits and the audit log comes from there. "*" only where nothing but the proxy
    # can reach the app (the compose file's internal network).
    forwarded_allow_ips: str = "127.0.0.1"
    # request limits (issue 12): bodies above max_body_bytes get 413 before they are read; a
    # body that takes longer than body_timeout_seconds to arrive gets 408; request headers that
    # take longer than header_timeout_seconds close the connection (loket serve).
    max_body_bytes: int = Field(default=6 * 1024 * 1024, ge=1024)
    body_timeout_seconds: float = Field(default=30, gt=0)
    header_timeout_seconds: float = Field(default=10, gt=0)
    # anonymous public pages kept in memory (backend/core/pagecache.py); 0 seconds = off
    page_cache_seconds: float = Field(default=60, ge=0)
    page_cache_entries: int = Field(default=2000, ge=1)
    page_cache_check_seconds: float = Field(default=1.0, gt=0)  # other processes' changes
    ready_max_lag_seconds: float = Field(default=600, ge=0)  # /readyz fails above; 0 = off

    def limits_table(self) -> dict[str, dict[str, str]]:
        """RATE_LIMITS with this configuration's overrides applied."""
        table = {act: dict(scopes) for act, scopes in RATE_LIMITS.items()}
        legacy = {("password_login", "address"): self.rate_limit_login,
                  ("login_link_use", "address"): self.rate_limit_login,
                  ("login_link", "address_email"): self.rate_limit_email_link,
                  ("login_link", "email"): self.rate_limit_email_link,
                  ("ask_question", "address"): self.rate_limit_ask_ip,
                  ("ask_question", "email"): self.rate_limit_ask_email}
        for (act, scope), value in legacy.items():
            if value:
                table[act][scope] = value
        for act, scopes in self.rate_limits.items():
            table.setdefault(act, {}).update(scopes)
        return table

    @model_validator(mode="after")
    def _check_rate_limits(self) -> Settings:
        for act, scopes in self.rate_limits.items():
            for scope, value in scopes.items():
                if not re.match(RATE_LIMIT_PATTERN, value):
                    raise ValueError(f"LOKET_RATE_LIMITS[{act!r}][{scope!r}] must look like "
                                     f"'N/seconds', not {value!r}")
        return self

    @model_validator(mode="after")
    def _derive_base_url(self) -> Settings:
        if not self.base_url:
            wildcard = self.host in ("", "0.0.0.0", "::")  # noqa: S104 (compared, not bound)
            host = "127.0.0.1" if wildcard else self.host
            if ":" in host:  # an IPv6 address
                host = f"[{host}]"
            self.base_url = f"http://{host}:{self.port}"
        return self

    @property
    def is_https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        weak = self.secret_key == DEV_SECRET or len(self.secret_key) < 32
        if self.env != "development" and weak:
            raise ValueError(
                "LOKET_SECRET_KEY must be set to a random value of at least 32 characters "
                "outside development (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
