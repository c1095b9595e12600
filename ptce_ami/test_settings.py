"""Settings for the test suite: the production settings plus a few fixed values.

DATABASE_URL and CELERY_BROKER_URL are honoured (CI sets them to the machine's PostgreSQL and Redis);
without them the suite runs on SQLite with inline tasks.
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")

from ptce_ami.settings import *  # noqa: E402, F403
from ptce_ami.settings import BASE_DIR, STORAGES, VAR_DIR  # noqa: E402

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
# Hashed static names need collectstatic; tests (and the live server) use the plain storage.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "test-media"
CRISPY_FAIL_SILENTLY = False
# Tasks run inline in tests even when CELERY_BROKER_URL is set (CI): the tests that need a real worker
# start one and switch this off themselves.
CELERY_TASK_ALWAYS_EAGER = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
TEST_RUNNER = "django.test.runner.DiscoverRunner"
FIXTURE_DIRS = [BASE_DIR / "tests" / "fixtures"]
# Tests never reach the network: adapter tests set a URL and inject an httpx.MockTransport client.
COMPANY_LOOKUP_URL = ""
# Many tests log in again and again (and Client.login gives no request): the login lockout is switched on only by
# the tests that prove it (tests/accounts/test_throttling.py).
AXES_ENABLED = False
# Tests log staff in with force_login: the second factor is asked only by the tests that prove it
# (tests/accounts/test_two_factor.py), which set these back.
TWO_FACTOR_REQUIRED_ROLES = []
TWO_FACTOR_ADMIN_REQUIRED = False
# The suite flushes its PostgreSQL database between transactional tests (TRUNCATE of every table): the audit log's
# guard against TRUNCATE (core/0010) lets these connections through, and only these.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] += " -c ptce.audit_truncate=on"  # noqa: F405
