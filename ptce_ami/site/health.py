"""Liveness and readiness of the platform's services, for /healthz."""

from django.conf import settings
from django.db import connections

from ptce_ami.celery import app


def database_state():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 -- any failure means "down", reported as text
        return False, f"error: {error.__class__.__name__}"
    return True, "ok"


def broker_state():
    if not settings.CELERY_BROKER_URL:
        return "inline"
    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return f"error: {error.__class__.__name__}"
    return "ok"
