"""Security headers (issue 13, part 5): no cache of a logged-in user's pages, and the headers on every response."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from ptce_ami.core.middleware import PrivateCacheMiddleware
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def cache_directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_authenticated_html_page_is_private_and_not_stored(client):
    client.force_login(UserFactory())

    response = client.get("/espace/")

    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


def test_anonymous_public_page_is_not_marked_private(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "no-store" not in cache_directives(response)


def middleware_response(user, response):
    request = RequestFactory().get("/")
    request.user = user
    return PrivateCacheMiddleware(lambda _request: response)(request)


def test_a_response_choosing_its_own_cache_control_keeps_it():
    chosen = HttpResponse("<p>carte</p>", content_type="text/html")
    chosen["Cache-Control"] = "public, max-age=3600"

    assert middleware_response(UserFactory(), chosen)["Cache-Control"] == "public, max-age=3600"


def test_only_html_for_a_logged_in_user_is_marked():
    csv = middleware_response(UserFactory(), HttpResponse("a;b", content_type="text/csv"))
    anonymous = middleware_response(AnonymousUser(), HttpResponse("<p>x</p>", content_type="text/html"))
    html = middleware_response(UserFactory(), HttpResponse("<p>x</p>", content_type="text/html; charset=utf-8"))

    assert (csv.has_header("Cache-Control"), anonymous.has_header("Cache-Control")) == (False, False)
    assert cache_directives(html) == {"private", "no-store"}


def test_a_request_answered_before_authentication_is_treated_as_anonymous():
    request = RequestFactory().get("/static/x.css")
    response = PrivateCacheMiddleware(lambda _request: HttpResponse("<p>x</p>", content_type="text/html"))(request)

    assert not response.has_header("Cache-Control")
