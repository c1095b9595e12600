"""Security headers (issue 13, part 5): no cache of a logged-in user's pages, and the headers on every response."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from ptce_ami.accounts.services import create_api_token
from ptce_ami.core.middleware import PermissionsPolicyMiddleware, PrivateCacheMiddleware
from tests.accounts.factories import UserFactory
from tests.applications.factories import AttachmentFactory, DossierFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


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


def test_only_html_and_json_for_a_logged_in_user_are_marked():
    csv = middleware_response(UserFactory(), HttpResponse("a;b", content_type="text/csv"))
    anonymous = middleware_response(AnonymousUser(), HttpResponse("<p>x</p>", content_type="text/html"))
    html = middleware_response(UserFactory(), HttpResponse("<p>x</p>", content_type="text/html; charset=utf-8"))
    json = middleware_response(UserFactory(), HttpResponse("{}", content_type="application/json"))

    assert (csv.has_header("Cache-Control"), anonymous.has_header("Cache-Control")) == (False, False)
    assert cache_directives(html) == cache_directives(json) == {"private", "no-store"}


def test_the_session_status_and_the_api_answers_are_not_stored(client):
    """JSON read with a session (the session dialog's remaining time) or with a bearer token (the API)."""
    user = UserFactory(instructeur=True)
    secret = create_api_token(user, name="outil", days=30)[1]
    client.force_login(user)

    status = client.get(reverse("accounts:session_status"))
    client.logout()
    api = client.get("/api/v1/regions", headers={"Authorization": f"Bearer {secret}"})
    anonymous_schema = client.get("/api/v1/openapi.json")

    assert (status.status_code, api.status_code) == (200, 200)
    assert cache_directives(status) == cache_directives(api) == {"private", "no-store"}
    assert "no-store" not in cache_directives(anonymous_schema)


def test_a_request_answered_before_authentication_is_treated_as_anonymous():
    request = RequestFactory().get("/static/x.css")
    response = PrivateCacheMiddleware(lambda _request: HttpResponse("<p>x</p>", content_type="text/html"))(request)

    assert not response.has_header("Cache-Control")


# What Django's SecurityMiddleware, XFrameOptionsMiddleware and ours put on every response.
EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
REFUSED_FEATURES = {"camera", "microphone", "geolocation", "payment", "usb"}


def refused_features(response):
    policy = response["Permissions-Policy"]
    return {entry.split("=")[0].strip() for entry in policy.split(",") if entry.split("=")[1].strip() == "()"}


def assert_common_headers(response):
    assert {name: response.get(name) for name in EVERY_RESPONSE} == EVERY_RESPONSE
    assert REFUSED_FEATURES <= refused_features(response)


def test_public_page_headers(client):
    response = client.get("/")

    assert response.status_code == 200
    assert_common_headers(response)
    assert "no-store" not in cache_directives(response)


def test_porteur_dossier_page_headers(client):
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    response = client.get(reverse("applications:dossier", kwargs={"reference": dossier.reference}))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_common_headers(response)
    assert cache_directives(response) == {"private", "no-store"}


def test_attachment_download_headers(client):
    attachment = AttachmentFactory(dossier=DossierFactory(submitted=True))
    client.force_login(attachment.dossier.owner)
    url = reverse(
        "applications:attachment_download",
        kwargs={"reference": attachment.dossier.reference, "attachment_id": attachment.pk},
    )

    response = client.get(url)
    content = b"".join(response.streaming_content)
    response.close()
    with attachment.file.open("rb") as stored:
        expected = stored.read()

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert_common_headers(response)
    assert response["Cache-Control"] == "private, no-store"
    assert content == expected


def test_open_data_csv_headers(client):
    response = client.get(reverse("site:laureates_csv"))
    content = b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert content
    assert_common_headers(response)
    assert "no-store" not in cache_directives(response)


def test_permissions_policy_set_by_a_view_is_kept():
    chosen = HttpResponse("<p>x</p>")
    chosen["Permissions-Policy"] = "fullscreen=(self)"

    response = PermissionsPolicyMiddleware(lambda _request: chosen)(RequestFactory().get("/"))

    assert response["Permissions-Policy"] == "fullscreen=(self)"


def csp_directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_content_security_policy_allows_no_inline_script(client):
    response = client.get("/")

    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert "Content-Security-Policy-Report-Only" not in response


def test_content_security_policy_is_report_only_in_debug():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(hasattr(settings, 'CONTENT_SECURITY_POLICY'), "
        "settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['script-src'])"
    )
    environment = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "ptce_ami.settings"}

    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.stdout.strip() == "False [\"'self'\"]", result.stderr[-2000:]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def test_our_templates_have_no_inline_script():
    """The policy would block them: every behaviour lives in a file under static/js."""
    templates = [
        path
        for folder in ("templates", "ptce_ami", "territories", "applications", "reviews")
        for path in (ROOT / folder).glob("**/*.html")
    ]
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in templates
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL)
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]

    assert len(templates) > 50
    assert offenders == []
