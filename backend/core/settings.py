"""All configuration in one place: environment variables with the ``LOKET_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-secret-change-me"  # noqa: S105 - the known default that production refuses
ROOT = Path(__file__).resolve().parents[2]
# "N/seconds" with both at least 1; checked at start-up so a typo never becomes a 500 later.
RATE_LIMIT_PATTERN = r"^\s*[1-9][0-9]*/[1-9][0-9]*\s*$"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOKET_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    secret_key: str = DEV_SECRET
    base_url: str = "http://127.0.0.1:8000"
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

    # rate limits ("N/seconds"); counters live in the database, or Redis when configured
    redis_url: str | None = None
    rate_limit_login: str = Field(default="10/300", pattern=RATE_LIMIT_PATTERN)
    rate_limit_email_link: str = Field(default="5/900", pattern=RATE_LIMIT_PATTERN)
    rate_limit_ask_ip: str = Field(default="10/3600", pattern=RATE_LIMIT_PATTERN)
    rate_limit_ask_email: str = Field(default="5/86400", pattern=RATE_LIMIT_PATTERN)

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
