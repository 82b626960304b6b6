"""Test settings: the base settings plus a fast password hasher."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A part of the matrix that lives only in the test suite (tests/kitdemo/): it proves that
# a new part is one folder plus its entry here.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.kitdemo"]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# No cross-test caching: each test sees only its own data. The tests of the caches
# themselves use a real one (the ``real_cache`` fixture, tests/conftest.py): Redis when
# REDIS_URL is set, as .ci/run does, else a local-memory cache.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
REAL_CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": "pm-test",
        }
        if REDIS_URL  # noqa: F405
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Tasks run at once, in the request that queues them (a test that needs the real worker
# sets the database backend itself); no heartbeat thread.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
IMPORT_HEARTBEAT_SECONDS = 0
