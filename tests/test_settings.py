import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "accounts.middleware.IdleTimeoutMiddleware" in settings.MIDDLEWARE
    min_length = next(
        v["OPTIONS"]["min_length"]
        for v in settings.AUTH_PASSWORD_VALIDATORS
        if v["NAME"].endswith("MinimumLengthValidator")
    )
    assert min_length == 12


def _manage(*args, env):
    # A clean environment: nothing from the test run (settings module, async flags) leaks in.
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "matrix.settings.base"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_sqlite_is_the_default_database():
    result = _manage(
        "shell",
        "-c",
        "from django.db import connection; print(connection.vendor)",
        env={},
    )
    if os.environ.get("DATABASE_URL"):
        pytest.skip("runs in the SQLite pass: DATABASE_URL is set for this one")
    assert result.stdout.strip().endswith("sqlite"), result.stderr


@pytest.mark.parametrize(
    "missing, env",
    [
        ("SECRET_KEY", {"DEBUG": "false", "ALLOWED_HOSTS": "example.org", "SECRET_KEY": ""}),
        ("ALLOWED_HOSTS", {"DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": ""}),
    ],
)
def test_production_mode_refuses_to_start_without(missing, env):
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"requires {missing}" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "false",
            "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-0123456789",
            "ALLOWED_HOSTS": "party.example.gov.cn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_file_cache_is_the_embedded_default():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        env={"REDIS_URL": ""},
    )
    assert result.stdout.strip().splitlines()[-1] == "matrix.cache.FileCache", result.stderr


def test_redis_url_makes_the_cache_shared_by_every_app_server():
    """Two app processes with REDIS_URL share one cache: what one stores, the other reads."""
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set (no Redis configured); .ci/run sets it and runs this")
    backend = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        env={"REDIS_URL": url, "CACHE_KEY_PREFIX": "pm-settings-test"},
    )
    assert backend.stdout.strip().endswith("backends.redis.RedisCache"), backend.stderr
    env = {"REDIS_URL": url, "CACHE_KEY_PREFIX": "pm-settings-test"}
    token = os.urandom(8).hex()
    write = _manage(
        "shell",
        "-c",
        f"from django.core.cache import cache; cache.set('shared', '{token}')",
        env=env,
    )
    assert write.returncode == 0, write.stderr
    read = _manage(
        "shell", "-c", "from django.core.cache import cache; print(cache.get('shared'))", env=env
    )
    assert read.stdout.strip().splitlines()[-1] == token, read.stderr
