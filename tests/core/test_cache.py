"""The shared cache (ptce_ami.core.cache): CACHE_URL chooses it, and a Redis that does not answer is a miss."""

import os
import time

import pytest
import redis
from django.core.cache import caches

from ptce_ami.core.cache import ResilientRedisCache, cache_settings
from tests.conftest import require_service

REDIS_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/14"


def test_cache_url_chooses_the_backend():
    assert cache_settings("")["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    shared = cache_settings("redis://redis:6379/1")["default"]
    assert shared == {"BACKEND": "ptce_ami.core.cache.ResilientRedisCache", "LOCATION": "redis://redis:6379/1"}
    with pytest.raises(ValueError, match="CACHE_URL must be a redis:// URL"):
        cache_settings("memcached://host:11211")


def test_a_redis_that_does_not_answer_is_a_cache_miss_within_its_timeout(caplog):
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {})
    started = time.monotonic()
    assert cache.get("key", "default") == "default"
    assert cache.add("key", 1) is False
    assert cache.set("key", 1) is None
    assert cache.get_many(["a", "b"]) == {}
    with pytest.raises(ValueError, match="cache unavailable"):
        cache.incr("key")  # callers treat it as a missing key (statistics.invalidate, the form throttles)
    assert time.monotonic() - started < 5
    assert "Cache unavailable (get)" in caplog.text


def test_a_shared_cache_on_the_real_redis(settings):
    try:
        available = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        available = False
    require_service(available, f"Redis at {REDIS_URL}")
    settings.CACHES = {"default": {"BACKEND": "ptce_ami.core.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
    first, second = ResilientRedisCache(REDIS_URL, {}), caches.create_connection("default")
    key = f"test-cache-{os.getpid()}-{time.time_ns()}"
    try:
        assert first.add(key, 1, timeout=30)
        assert second.incr(key) == 2  # another process's cache object sees and bumps the same number
        assert first.get(key) == 2
    finally:
        first.delete(key)
