"""Settings for the test suite: production settings plus a fixed key, fast hashing, jobs
run at once, mail kept in memory."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")
os.environ.setdefault("HUEY_IMMEDIATE", "1")

from orderdesk.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
HUEY = {**HUEY, "immediate": True}  # noqa: F405

# Tests read English messages unless they ask for a language (the browser tests send
# Accept-Language: zh-CN); test_default_language checks the product default stays zh-hans.
LANGUAGE_CODE = "en"
# Serve static files from the finders: tests need no collectstatic run beforehand.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
