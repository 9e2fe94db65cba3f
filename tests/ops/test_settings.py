from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from helpers.databases import POSTGRES_AVAILABLE, postgres_admin_url
from insight_atlas.settings import DEFAULT_SECRET_KEY, Settings

SAFE_PRODUCTION: dict[str, Any] = {
    "atlas_env": "production",
    "secret_key": "s" * 48,
    "database_url": "postgresql://atlas:pw@db.internal:5432/atlas",
    "cors_origins": "https://app.insight-atlas.example",
    "stripe_secret_key": "sk_live_example",
    "stripe_webhook_secret": "whsec_real_secret_value",
    "mail_backend": "smtp",
    "smtp_host": "smtp.example.com",
    "field_encryption_key": "bG9jYWwtdGVzdC1rZXktMzItYnl0ZXMtbG9uZy0hISE=",
}


def build(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_development_defaults_are_embedded_and_permissive() -> None:
    settings = build(atlas_env="development")
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.database_url.endswith("data/atlas.db")
    assert settings.billing_mode == "sandbox"
    assert settings.mail_backend.value == "outbox"


def test_safe_production_settings_are_accepted() -> None:
    settings = build(**SAFE_PRODUCTION)
    assert settings.database_url == "postgresql+asyncpg://atlas:pw@db.internal:5432/atlas"
    assert settings.cors_origins == ["https://app.insight-atlas.example"]
    assert settings.billing_mode == "stripe"


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"secret_key": DEFAULT_SECRET_KEY}, "SECRET_KEY"),
        ({"secret_key": ""}, "SECRET_KEY"),
        ({"secret_key": "short"}, "SECRET_KEY"),
        ({"database_url": "sqlite:///data/atlas.db"}, "DATABASE_URL"),
        ({"cors_origins": "*"}, "CORS_ORIGINS"),
        ({"cors_origins": "https://ok.example,https://*.example"}, "CORS_ORIGINS"),
        ({"stripe_webhook_secret": ""}, "STRIPE_WEBHOOK_SECRET"),
        ({"stripe_secret_key": ""}, "STRIPE_SECRET_KEY"),
        ({"field_encryption_key": ""}, "FIELD_ENCRYPTION_KEY"),
    ],
)
def test_unsafe_deployments_refuse_to_start_and_name_the_setting(
    environment: str, override: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        build(**{**SAFE_PRODUCTION, "atlas_env": environment, **override})
    assert named in str(raised.value)


def test_production_refuses_the_local_outbox() -> None:
    with pytest.raises(ValidationError, match="MAIL_BACKEND"):
        build(**{**SAFE_PRODUCTION, "mail_backend": "outbox"})


def test_access_tokens_cannot_be_configured_longer_than_30_minutes() -> None:
    with pytest.raises(ValidationError):
        build(access_token_minutes=31)
    with pytest.raises(ValidationError):
        build(password_reset_minutes=61)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("ATLAS_DATA_DIR", "/tmp/atlas-data")
    monkeypatch.setenv("CORS_ORIGINS", "http://a.example, http://b.example")
    settings = build()
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert str(settings.atlas_data_dir) == "/tmp/atlas-data"
    assert settings.cors_origins == ["http://a.example", "http://b.example"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://atlas:p%40ss@db.flycast:5432/atlas?sslmode=disable",
            "postgresql+asyncpg://atlas:p%40ss@db.flycast:5432/atlas?ssl=disable",
        ),
        (
            "postgresql://u@h/db?sslmode=require&application_name=atlas",
            "postgresql+asyncpg://u@h/db?ssl=require&application_name=atlas",
        ),
        ("postgresql+asyncpg://u@h/db?ssl=require", "postgresql+asyncpg://u@h/db?ssl=require"),
    ],
)
def test_libpq_sslmode_becomes_asyncpgs_ssl(given: str, expected: str) -> None:
    assert build(database_url=given).database_url == expected


@pytest.mark.skipif(not POSTGRES_AVAILABLE, reason="needs PostgreSQL")
async def test_a_provider_url_with_sslmode_connects() -> None:
    """`fly postgres attach` hands out `…?sslmode=disable`: the service must still connect."""
    libpq_style = postgres_admin_url().replace("postgresql+asyncpg://", "postgres://")
    libpq_style += "?sslmode=disable"
    engine = create_async_engine(build(database_url=libpq_style).database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("select 1")) == 1
    finally:
        await engine.dispose()
