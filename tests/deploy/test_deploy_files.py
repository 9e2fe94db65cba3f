"""The deployment files name what the runbook and the service expect."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_fly_configs_check_health_and_migrate_on_release() -> None:
    for name, app, environment in (
        ("fly.toml", "insight-atlas-api", "production"),
        ("fly.staging.toml", "insight-atlas-api-staging", "staging"),
    ):
        config = tomllib.loads((ROOT / name).read_text())
        assert config["app"] == app
        assert config["env"]["ATLAS_ENV"] == environment
        assert config["deploy"]["release_command"] == "atlas db upgrade"
        paths = {check["path"] for check in config["http_service"]["checks"]}
        assert paths == {"/healthz", "/readyz"}
        assert config["http_service"]["internal_port"] == 8080


def test_compose_stack_runs_the_api_on_postgresql_and_redis() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "api"} <= set(services)
    api = services["api"]
    assert api["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert api["environment"]["REDIS_URL"].startswith("redis://")
    assert "atlas db upgrade" in " ".join(api["command"])
    assert api["depends_on"]["db"]["condition"] == "service_healthy"


def test_dockerfile_serves_on_the_fly_internal_port() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/main.txt" in dockerfile
    assert 'CMD ["atlas", "serve", "--host", "0.0.0.0", "--port", "8080"]' in dockerfile
    assert "ATLAS_MIGRATIONS_DIR=/app/migrations" in dockerfile
