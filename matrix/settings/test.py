"""Test settings: the base settings plus a fast password hasher."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A part of the matrix that lives only in the test suite (tests/kitdemo/): it proves that
# a new part is one folder plus its entry here.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.kitdemo"]  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# No cross-test caching: each test sees only its own data. The data-version cache has
# its own tests with a real cache and committed transactions (tests/audit/test_version.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
