import os

import pytest
import redis
from django.db.backends.utils import CursorWrapper

from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_inline_broker_and_version(client, settings):
    settings.CELERY_BROKER_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "inline", "version": "0.1.0"}


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken_execute(self, sql, params=None):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(CursorWrapper, "execute", broken_execute)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error: ConnectionError"


def test_healthz_reports_an_unreachable_broker_without_failing(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"].startswith("error: ")


def test_healthz_reports_a_live_redis_broker(client, settings):
    url = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        available = True
    except redis.exceptions.RedisError:
        available = False
    require_service(available, f"Redis at {url}")
    settings.CELERY_BROKER_URL = url

    response = client.get("/healthz")

    assert response.json()["broker"] == "ok"
