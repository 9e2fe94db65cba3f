"""One settings object for the whole service, read from the environment (and `.env`)."""

from __future__ import annotations

import enum
import functools
import ipaddress
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, Request
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SECRET_KEY = "insecure-development-secret-change-me"  # noqa: S105 - refused outside dev/test
DEFAULT_WEBHOOK_SECRET = "whsec_sandbox_local_development_only"  # noqa: S105 - refused outside dev/test
MIN_SECRET_LENGTH = 32


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    STAGING = "staging"
    PRODUCTION = "production"


class MailBackend(enum.StrEnum):
    OUTBOX = "outbox"
    SMTP = "smtp"


class SettingsError(ValueError):
    """Raised when the configuration is unsafe for the chosen environment."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    atlas_env: Environment = Environment.DEVELOPMENT
    atlas_data_dir: Path = Path("data")
    database_url: str = ""
    # Every connection a worker may use is kept open: overflow connections are closed when
    # returned to a full pool, so load just above the pool size reopens them all the time.
    db_pool_size: int = Field(default=40, ge=1, le=200)
    db_max_overflow: int = Field(default=0, ge=0, le=200)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    db_echo: bool = False

    secret_key: str = DEFAULT_SECRET_KEY
    access_token_minutes: int = Field(default=15, ge=1, le=30)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    password_reset_minutes: int = Field(default=30, ge=5, le=60)
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=8192)
    password_hash_parallelism: int = Field(default=1, ge=1)
    password_hash_concurrency: int = Field(default=0, ge=0)

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"]
    )
    public_api_url: str = "http://127.0.0.1:8000"
    public_web_url: str = "http://127.0.0.1:8000"
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    # Where the client address comes from (ops/client_address.py): a header the proxy in
    # front sets itself, or the socket peer and the X-Forwarded-For entries of trusted proxies.
    client_ip_header: str = ""
    # A client must send a request's headers within this time of connecting (or of the
    # request's first byte, on a kept-alive connection), and its body within
    # HTTP_BODY_TIMEOUT_SECONDS of the app starting to read it: slow clients cannot hold
    # connections (ops.http_protocol, ops.middleware).
    http_header_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    http_body_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    http_keep_alive_timeout_seconds: int = Field(default=5, ge=1, le=3600)
    forwarded_allow_ips: str = "127.0.0.1"
    # The web app's static export served at `/`; empty: `web/out` of the checkout, when
    # built. "off" serves the API alone (production: the web app is on Vercel).
    web_dist_dir: str = ""

    redis_url: str = ""
    rate_limit_enabled: bool = True
    login_max_attempts_per_ip: int = Field(default=30, ge=1)
    login_ip_window_seconds: int = Field(default=60, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_account_window_seconds: int = Field(default=900, ge=1)
    password_forgot_max_per_ip: int = Field(default=10, ge=1)
    password_forgot_window_seconds: int = Field(default=3600, ge=1)
    register_max_per_ip: int = Field(default=10, ge=1)
    register_ip_window_seconds: int = Field(default=3600, ge=1)

    mail_backend: MailBackend = MailBackend.OUTBOX
    mail_from: str = "Insight Atlas <no-reply@insight-atlas.local>"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_timeout_seconds: float = 10.0

    field_encryption_key: str = ""
    assessments_per_hour: int = Field(default=20, ge=1)
    submissions_per_hour: int = Field(default=30, ge=1)
    share_link_days: int = Field(default=7, ge=1, le=90)
    max_free_text_chars: int = Field(default=5000, ge=100, le=20000)
    engine_processes: int = Field(default=1, ge=0, le=32)

    # Optional plain-language rewrite of a report's narrative by a language model behind
    # any OpenAI-compatible endpoint (reports/rewrite.py); off while the URL or model is
    # empty.
    narrative_llm_base_url: str = ""
    narrative_llm_model: str = ""
    narrative_llm_api_key: str = ""
    narrative_llm_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    narrative_rewrites_per_hour: int = Field(default=10, ge=1)

    stripe_secret_key: str = ""
    stripe_webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    stripe_price_pro_monthly: str = "price_sandbox_pro_monthly"
    stripe_price_pro_yearly: str = "price_sandbox_pro_yearly"
    stripe_api_base: str = ""
    past_due_grace_days: int = Field(default=7, ge=0, le=60)

    log_level: str = "INFO"
    git_sha: str = ""

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("client_ip_header")
    @classmethod
    def _check_header_name(cls, value: str) -> str:
        value = value.strip()
        if value and not _HEADER_NAME.fullmatch(value):
            raise ValueError(f"CLIENT_IP_HEADER {value!r} is not an HTTP header name")
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        _proxy_networks(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        # Hosting providers hand out libpq-style URLs; the service talks asyncpg.
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://"):
            if value.startswith(prefix):
                value = "postgresql+asyncpg://" + value[len(prefix) :]
                break
        base, _, query = value.partition("?")
        if value.startswith("postgresql+asyncpg://") and "sslmode=" in query:
            # libpq's `sslmode=require` is asyncpg's `ssl=require` (same values); left as
            # it is, asyncpg refuses to connect (`unexpected keyword argument 'sslmode'`).
            pairs = [
                ("ssl" if key == "sslmode" else key, item)
                for key, item in parse_qsl(query, keep_blank_values=True)
            ]
            return f"{base}?{urlencode(pairs)}"
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value[len("sqlite:///") :]
        return value

    @model_validator(mode="after")
    def _fill_defaults_and_check(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.atlas_data_dir / 'atlas.db'}"
        if self.atlas_env in (Environment.STAGING, Environment.PRODUCTION):
            problems = self.deployment_problems()
            if problems:
                raise SettingsError(
                    f"refusing to start in {self.atlas_env.value}: " + "; ".join(problems)
                )
        return self

    def deployment_problems(self) -> list[str]:
        problems: list[str] = []
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < MIN_SECRET_LENGTH:
            problems.append(
                f"SECRET_KEY is the default or shorter than {MIN_SECRET_LENGTH} characters"
            )
        if not self.stripe_secret_key:
            problems.append("STRIPE_SECRET_KEY is empty (sandbox billing is for development)")
        # An empty or published webhook secret lets anyone forge a paid subscription.
        if not self.stripe_webhook_secret or self.stripe_webhook_secret == DEFAULT_WEBHOOK_SECRET:
            problems.append("STRIPE_WEBHOOK_SECRET is empty or the development default")
        if self.is_sqlite:
            problems.append("DATABASE_URL points at SQLite; use PostgreSQL")
        if not self.field_encryption_key:
            problems.append("FIELD_ENCRYPTION_KEY is empty (free text must be encrypted at rest)")
        if any(origin == "*" or "*" in origin for origin in self.cors_origins):
            problems.append("CORS_ORIGINS contains a wildcard")
        if self.mail_backend is MailBackend.OUTBOX and self.atlas_env is Environment.PRODUCTION:
            problems.append("MAIL_BACKEND is 'outbox'; production mail needs 'smtp'")
        if self.mail_backend is MailBackend.SMTP and self.smtp_username and not self.smtp_password:
            problems.append("SMTP_PASSWORD is empty while SMTP_USERNAME is set")
        return problems

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return _proxy_networks(self.forwarded_allow_ips)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.atlas_env is Environment.PRODUCTION

    @property
    def billing_mode(self) -> str:
        return "stripe" if self.stripe_secret_key else "sandbox"

    @property
    def narrative_rewrite_enabled(self) -> bool:
        return bool(self.narrative_llm_base_url.strip() and self.narrative_llm_model.strip())

    @property
    def encryption_key_file(self) -> Path:
        return self.atlas_data_dir / "field-encryption.key"

    @property
    def outbox_dir(self) -> Path:
        return self.atlas_data_dir / "outbox"


_HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


def _proxy_networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """FORWARDED_ALLOW_IPS: comma-separated addresses or networks of trusted proxies."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        if entry == "*":
            # Trusting every hop means believing the left-most X-Forwarded-For entry, which
            # the client writes itself: per-address limits and the consent ledger's address
            # would be whatever the client claims.
            raise ValueError(
                "FORWARDED_ALLOW_IPS='*' would take the client address from whatever"
                " X-Forwarded-For a client sends; list the proxies' addresses or networks,"
                " or set CLIENT_IP_HEADER to the header the proxy sets (Fly: Fly-Client-IP)"
            )
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"FORWARDED_ALLOW_IPS entry {entry!r} is not an IP address or network"
            ) from None
    return tuple(networks)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


async def app_settings(request: Request) -> Settings:
    """The running app's settings (async: FastAPI runs plain `def` dependencies in a thread)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]
