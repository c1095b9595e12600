"""Request bodies at the edge (ptce_ami.core.middleware.RequestSizeLimitMiddleware): refused from their announced
size before anything reads them, with limits per URL, a French page (JSON under /api/), and the upload forms'
own message next to the field for a file just over ATTACHMENT_MAX_SIZE. Also the client's address behind a
trusted proxy (RequestContextMiddleware)."""

import io
import json
import wsgiref.util
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse

from applications.forms.messages import MAX_MESSAGE_FILES
from applications.models import Attachment, Message
from ptce_ami.core.middleware import body_limit, forwarded_client
from ptce_ami.core.models import AuditAction, AuditEntry
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.applications.fixtures import files as samples

MIB = 1024 * 1024


class UnreadableInput(io.RawIOBase):
    """A wsgi.input that fails the test if anything reads it."""

    def readable(self):
        return True

    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = readline = readlines = read


def call_wsgi(path, *, method="POST", content_length=None, stream=None, **extra):
    """The project's WSGI application called as gunicorn would: returns (status code, headers, body). The body is
    ``stream``, by default one that fails the test if read."""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "HTTP_HOST": "127.0.0.1"}
    wsgiref.util.setup_testing_defaults(environ)
    environ["wsgi.input"] = UnreadableInput() if stream is None else stream
    if content_length is not None:
        environ["CONTENT_LENGTH"] = str(content_length)
    environ.update(extra)
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = int(status.split()[0]), dict(headers)

    # As Django's test client does: the test's database connection stays open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = get_wsgi_application()(environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return started["status"], started["headers"], content.decode()


def attachments_url(dossier):
    return reverse("applications:attachments", kwargs={"reference": dossier.reference})


def message_url(dossier):
    return reverse("applications:message_post", kwargs={"reference": dossier.reference})


def field_messages(html, field_id):
    return unescape(html.split(f'id="{field_id}-messages"')[1].split("</div>")[0])


# Limits per URL ---------------------------------------------------------------------------------------------


def test_each_url_gets_its_own_limit(settings):
    settings.ATTACHMENT_MAX_SIZE = 10 * MIB
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MIB

    assert body_limit("/dossiers/PTCE-2026-P1-0001/pieces/") == 11 * MIB
    assert body_limit("/dossiers/PTCE-2026-P1-0001/messages/envoyer/") == (MAX_MESSAGE_FILES * 10 + 1) * MIB
    assert body_limit("/admin/applications/laureaterecord/import/") == 11 * MIB
    for path in ("/compte/connexion/", "/api/v1/dossiers/", "/dossiers/PTCE-2026-P1-0001/etapes/projet/", "/nulle/"):
        assert body_limit(path) == MIB, path


@pytest.mark.django_db
def test_an_oversized_body_is_refused_with_413_without_being_read(settings):
    settings.ATTACHMENT_MAX_SIZE = 10 * MIB
    dossier = DossierFactory()

    status, headers, html = call_wsgi(attachments_url(dossier), content_length=11 * MIB + 1)

    assert status == 413
    assert headers["Content-Type"].startswith("text/html")
    assert "Envoi trop volumineux" in html
    assert "la taille maximale est de 10 Mo par fichier" in unescape(html)
    assert '<html lang="fr">' in html
    # The refusal went through the header middlewares placed before it.
    assert "Content-Security-Policy" in headers or "Content-Security-Policy-Report-Only" in headers
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_refused_body_is_read_into_nothing(settings):
    # nginx has the whole body already: a worker closing with it unread would reset the connection, and nginx would
    # answer 502 instead of relaying the 413 (seen with nginx 1.22 and an 11.8 MB body).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MIB
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    body = io.BytesIO(b"x" * (MIB + 1))

    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    status, _headers, _html = call_wsgi(reverse("accounts:login"), content_length=MIB + 1, stream=body, **environ)
    direct, _headers, _html = call_wsgi(reverse("accounts:login"), content_length=MIB + 1, REMOTE_ADDR="198.51.100.1")

    assert (status, body.tell(), direct) == (413, MIB + 1, 413)


@pytest.mark.django_db
def test_the_limit_of_an_upload_url_is_its_files_and_the_rest_of_the_form(settings):
    settings.ATTACHMENT_MAX_SIZE = 10 * MIB
    dossier = DossierFactory()

    # Just at the limit the middleware lets it through (the login redirect shows the view was reached).
    status, headers, _html = call_wsgi(attachments_url(dossier), content_length=11 * MIB, method="GET")
    refused, _headers, _html = call_wsgi(attachments_url(dossier), content_length=11 * MIB + 1, method="GET")
    messages_status, _headers, _html = call_wsgi(message_url(dossier), content_length=12 * MIB, method="GET")

    assert (status, headers["Location"].split("?")[0], refused) == (302, reverse("accounts:login"), 413)
    assert messages_status == 302  # 5 files of 10 Mo: 12 Mo is within its limit


@pytest.mark.django_db
def test_any_other_post_is_limited_to_data_upload_max_memory_size(settings):
    settings.AXES_ENABLED = True
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MIB

    status, _headers, html = call_wsgi(reverse("accounts:login"), content_length=MIB + 1)

    assert status == 413
    assert "Les données envoyées dépassent la taille maximale acceptée (1 Mo)" in unescape(html)
    # Nothing behind the middleware ran: no failed login counted, nothing in the audit log.
    assert not AccessAttempt.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_the_api_gets_its_refusal_as_json(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MIB

    status, headers, content = call_wsgi("/api/v1/dossiers/", content_length=2 * MIB)

    assert (status, headers["Content-Type"]) == (413, "application/json")
    assert json.loads(content) == {
        "detail": "Les données envoyées dépassent la taille maximale acceptée (1 Mo). "
        "Revenez à la page précédente et raccourcissez ce que vous avez saisi."
    }


@pytest.mark.django_db
@pytest.mark.parametrize("length", ["abc", "-1", "+5", "5_000", "١٢", "1e3"])
def test_an_unreadable_content_length_is_a_400(length):
    status, _headers, html = call_wsgi(reverse("accounts:login"), content_length=length)

    assert status == 400
    assert "La taille annoncée du contenu de la requête n&#x27;est pas valide." in html


@pytest.mark.django_db
def test_a_chunked_body_is_refused_with_411_without_being_read():
    status, _headers, html = call_wsgi(reverse("accounts:login"), HTTP_TRANSFER_ENCODING="chunked")
    api_status, _headers, content = call_wsgi("/api/v1/dossiers/", HTTP_TRANSFER_ENCODING="chunked")

    assert status == api_status == 411
    assert "La requête doit indiquer la taille de son contenu" in html
    assert json.loads(content)["detail"].startswith("La requête doit indiquer la taille de son contenu")


@pytest.mark.django_db
def test_a_request_without_body_nor_length_goes_through():
    status, _headers, html = call_wsgi(reverse("site:home"), method="GET")

    assert status == 200


# The upload forms --------------------------------------------------------------------------------------------


def pdf_of(size):
    head = samples.pdf()
    return head[:-6] + b"%" * (size - len(head)) + head[-6:]


@pytest.mark.django_db
def test_the_upload_page_tells_the_limit_next_to_the_field(client, settings):
    settings.ATTACHMENT_MAX_SIZE = 10 * MIB
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    html = unescape(client.get(attachments_url(dossier)).content.decode())

    assert "Taille maximale : 10 Mo." in html
    assert f'data-max-size="{10 * MIB}"' in html


@pytest.mark.django_db
def test_a_file_just_over_the_limit_gets_the_french_message_next_to_the_field(client, settings):
    settings.ATTACHMENT_MAX_SIZE = 4096
    dossier = DossierFactory()
    client.force_login(dossier.owner)
    content = pdf_of(4096 + 1)

    response = client.post(
        attachments_url(dossier), {"kind": "statuts", "file": SimpleUploadedFile("statuts.pdf", content)}
    )

    assert response.status_code == 200
    assert "Ce fichier dépasse la taille maximale de 4 Ko (il fait 4,1 Ko)." in field_messages(
        response.content.decode(), "id_file"
    )
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_a_file_far_over_the_limit_gets_the_french_413_page(client, settings):
    settings.ATTACHMENT_MAX_SIZE = 4096
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    response = client.post(
        attachments_url(dossier), {"kind": "statuts", "file": SimpleUploadedFile("statuts.pdf", pdf_of(20_000))}
    )

    assert response.status_code == 413
    assert "la taille maximale est de 4 Ko par fichier" in unescape(response.content.decode())
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_a_normal_upload_still_works(client, settings):
    settings.ATTACHMENT_MAX_SIZE = 4096
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    response = client.post(
        attachments_url(dossier), {"kind": "statuts", "file": SimpleUploadedFile("statuts.pdf", pdf_of(4096))}
    )

    assert response.status_code == 302
    assert Attachment.objects.get().size == 4096


@pytest.mark.django_db
def test_a_message_with_its_files_within_the_limit_is_sent(client, settings):
    settings.ATTACHMENT_MAX_SIZE = 4096
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    dossier = DossierFactory(submitted=True)
    client.force_login(dossier.owner)
    uploads = [SimpleUploadedFile(f"piece-{n}.pdf", pdf_of(4000)) for n in range(MAX_MESSAGE_FILES)]

    response = client.post(message_url(dossier), {"message-body": "Voici les pièces.", "message-files": uploads})

    assert response.status_code == 302
    assert Message.objects.get().attachments.count() == MAX_MESSAGE_FILES


# The client's address behind a trusted proxy -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", "198.51.100.1", [], "203.0.113.9"),  # no trusted proxy: the header is ignored
        ("203.0.113.9", "198.51.100.1", ["10.0.0.0/8"], "203.0.113.9"),  # not sent by a trusted proxy
        ("10.0.0.2", "198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        (
            "10.0.0.2",
            "6.6.6.6, 198.51.100.1",
            ["10.0.0.0/8"],
            "198.51.100.1",
        ),  # the client's own entry is not believed
        ("10.0.0.2", "198.51.100.1, 10.0.0.7", ["10.0.0.0/8"], "198.51.100.1"),  # two trusted hops
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
        ("10.0.0.2", "nimporte, 198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1, nimporte", ["10.0.0.0/8"], "10.0.0.2"),
        ("::1", "2001:db8::5", ["::1/128"], "2001:db8::5"),
        ("", "198.51.100.1", ["10.0.0.0/8"], None),
    ],
)
def test_forwarded_client(remote, forwarded, trusted, expected):
    assert forwarded_client(remote, forwarded, trusted) == expected


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_audit_log_and_the_lockout_see_the_client(client, settings):
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    UserFactory(email="camille@example.fr")

    client.post(
        reverse("accounts:login"),
        {"username": "camille@example.fr", "password": "faux"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1",
    )

    assert AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED).ip == "198.51.100.1"
    assert AccessAttempt.objects.get().ip_address == "198.51.100.1"


@pytest.mark.django_db
def test_without_trusted_proxies_x_forwarded_for_is_ignored(client, settings):
    settings.TRUSTED_PROXIES = []
    UserFactory(email="camille@example.fr")

    client.post(
        reverse("accounts:login"),
        {"username": "camille@example.fr", "password": "faux"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )

    assert AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED).ip == "203.0.113.9"
