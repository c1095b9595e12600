"""/api/: the documentation page; /api/v1/: the API, each call logged (token, user, route, status, duration)."""

import functools
import time

from django.urls import path

from ptce_ami.accounts.services import record_api_call
from ptce_ami.api import views
from ptce_ami.api.routes import api

PREFIX = "/api/v1/"


def logged(view, route):
    """``view`` recording each call made with a token (valid or refused) in the call log."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        started = time.monotonic()
        response = view(request, *args, **kwargs)
        token = getattr(request, "api_token", None)
        if token is not None:
            record_api_call(
                token,
                method=request.method,
                route=route,
                path=request.path,
                status=response.status_code,
                duration_ms=(time.monotonic() - started) * 1000,
            )
        return response

    return wrapper


def api_patterns():
    patterns, app_name, namespace = api.urls
    wrapped = [
        path(str(pattern.pattern), logged(pattern.callback, PREFIX + str(pattern.pattern)), name=pattern.name)
        for pattern in patterns
    ]
    return wrapped, app_name, namespace


urlpatterns = [
    path("", views.documentation, name="api_documentation"),
    path("v1/", api_patterns()),
]
