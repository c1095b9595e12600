"""The shared cache of a deployment: Redis, through Django's own backend, but never a reason for a page to fail.

Every web process and worker must share one cache (``CACHE_URL``): the lists' counters and the dashboards' figures
are invalidated by a generation number that any process may bump, and the form throttles count across processes.
When Redis does not answer, each call gives up after ``SOCKET_TIMEOUT`` and degrades as a cache should: a read is a
miss (the value is computed from the database), a write is dropped, an increment reports a missing key. It is logged.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# Seconds each Redis connection or command may wait (the broker's bound, settings.broker_timeout).
SOCKET_TIMEOUT = 0.5


def _degraded(method, fallback):
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            logger.warning("Cache unavailable (%s): %s", method.__name__, error)
            if isinstance(fallback, type) and issubclass(fallback, Exception):
                raise fallback(f"cache unavailable: {error}") from error
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapper.__name__ = method.__name__
    return wrapper


def _default(key, default=None, *args, **kwargs):
    return default


class ResilientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache whose failures are cache misses (module docstring)."""

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**params.get("OPTIONS", {})}}
        params["OPTIONS"].setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        params["OPTIONS"].setdefault("socket_timeout", SOCKET_TIMEOUT)
        super().__init__(server, params)

    get = _degraded(RedisCache.get, _default)
    get_many = _degraded(RedisCache.get_many, {})
    has_key = _degraded(RedisCache.has_key, False)
    add = _degraded(RedisCache.add, False)
    set = _degraded(RedisCache.set, None)
    set_many = _degraded(RedisCache.set_many, [])
    touch = _degraded(RedisCache.touch, False)
    delete = _degraded(RedisCache.delete, False)
    delete_many = _degraded(RedisCache.delete_many, None)
    incr = _degraded(RedisCache.incr, ValueError)
    clear = _degraded(RedisCache.clear, None)


def cache_settings(url):
    """CACHES from ``CACHE_URL``: empty, the per-process memory cache (make run, the tests); redis://…, the shared,
    resilient Redis cache."""
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"CACHE_URL must be a redis:// URL, not {url!r}")
    return {"default": {"BACKEND": "ptce_ami.core.cache.ResilientRedisCache", "LOCATION": url}}
