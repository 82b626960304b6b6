"""Test settings: the base settings plus a fast password hasher."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# No cross-test caching: each test sees only its own data. The data-version cache has
# its own tests with a real cache and committed transactions (tests/audit/test_version.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# Tasks run at once, in the request that queues them (a test that needs the real worker
# sets the database backend itself); no heartbeat thread.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
IMPORT_HEARTBEAT_SECONDS = 0
