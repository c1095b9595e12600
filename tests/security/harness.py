"""How the security suites walk the URL resolver, fill a pattern's arguments and classify an answer."""

import dataclasses
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# What an answer is, once classified (what the tables of matrix.py and test_idor.py compare with).
OK = "ok"  # GET: 200. POST: 200, 201, 204, 400 (the form's errors: the view let the user in) or a redirect elsewhere.
REDIRECT = "redirect"  # a redirect that is not to a login page (GET only; for a POST it is "ok")
LOGIN = "login"  # a redirect to the site's login page (accounts:login)
ADMIN_LOGIN = "admin-login"  # a redirect to the admin's login page
SERVER_ERROR = "5xx"

# The status codes that are their own outcome.
CODES = {400, 401, 403, 404, 405}
POST_OK = {200, 201, 204, 400, 409}  # 409: the edit-conflict answer of a form posted without its version


@dataclasses.dataclass(frozen=True)
class Pattern:
    key: str  # the name the tables use: "namespace:name", or with the kwargs when several patterns share a name
    name: str | None
    route: str  # the full route, e.g. "dossiers/<str:reference>/pieces/<int:attachment_id>/telecharger/"
    kwargs: tuple  # the names of the pattern's arguments, in order

    @property
    def is_admin(self):
        return self.route.startswith("admin/")


GROUP = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def kwarg_names(route):
    return tuple(m.group("name") or m.group("rname") for m in GROUP.finditer(route))


def _walk(resolver, prefix="", namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield name, prefix + str(entry.pattern)


def patterns():
    """Every URL pattern of the project, from the resolver (admin included), keyed for the tables."""
    found = list(_walk(get_resolver()))
    names = [name for name, _route in found]
    result = []
    for name, route in found:
        kwargs = kwarg_names(route)
        if name is None:
            key = f"{'admin:' if route.startswith('admin/') else ''}<unnamed> {route}"
        elif names.count(name) > 1:
            key = f"{name}({','.join(kwargs)})"
        else:
            key = name
        result.append(Pattern(key=key, name=name, route=route, kwargs=kwargs))
    return result


def fill(route, values):
    """The path of ``route`` with its arguments replaced by ``values`` (path() routes and regex routes alike)."""

    def value(match):
        return str(values[match.group("name") or match.group("rname")])

    path = GROUP.sub(value, route)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


def login_url():
    return reverse(settings.LOGIN_URL)


def admin_login_url():
    return reverse("admin:login")


def classify(response):
    status = response.status_code
    if status >= 500:
        return SERVER_ERROR
    if status in (301, 302, 303, 307, 308):
        location = response.headers.get("Location", "")
        path = location.split("?")[0]
        if path.endswith(admin_login_url()):
            return ADMIN_LOGIN
        if path.endswith(login_url()):
            return LOGIN
        return REDIRECT
    return status


def matches(expected, observed, method):
    if expected == OK:
        if method == "get":
            return observed == 200
        return observed in POST_OK or observed == REDIRECT
    return expected == observed


def fetch(client, method, path, headers=None):
    """One request, in a savepoint rolled back afterwards: a POST leaves the world as it was. Returns
    (outcome, detail)."""
    cache.clear()  # the throttling counters and the API's rate limit count per test run, not across the cases
    try:
        with transaction.atomic():
            response = getattr(client, method)(path, headers=headers or {})
            if response.streaming:
                # The test client closes the response (and its file) at the end of the iteration, without firing
                # close_old_connections (which would close the connection inside the world's transaction).
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
    except (Exception, pytest.fail.Exception) as error:  # noqa: BLE001 — a server error is what the suites look for
        return SERVER_ERROR, f"{type(error).__name__}: {error}"
    outcome = classify(response)
    return outcome, response.headers.get("Location", "") if outcome in (REDIRECT, LOGIN) else ""


def role_client(session_key):
    client = Client()
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client
