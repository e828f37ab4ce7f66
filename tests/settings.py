"""Test settings: a throwaway data dir, fast hashing, and PostgreSQL when MPS_TEST_DATABASE_URL is set."""

import os
import tempfile

os.environ.setdefault("MPS_DEBUG", "1")
os.environ.setdefault("MPS_DATA_DIR", tempfile.mkdtemp(prefix="mps-test-"))
os.environ.setdefault("MPS_SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-0123456789")
if os.environ.get("MPS_TEST_DATABASE_URL"):
    os.environ["MPS_DATABASE_URL"] = os.environ["MPS_TEST_DATABASE_URL"]

from mps.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher"
]  # speed only; argon2 is tested explicitly
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
