"""RGAA 7.5 on the server-rendered pages: the messages of the messages framework (base.html), the error summaries of
the forms and the export's progress are inside a live region (role="status", role="alert" or aria-live) that the page
holds from the start. The dynamic ones: tests/browser/test_status_messages.py. Checked on the HTML, not with a screen
reader."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reviews.models import Export
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LIVE = {("role", "status"), ("role", "alert"), ("aria-live", "polite"), ("aria-live", "assertive")}


class LiveTexts(HTMLParser):
    """The page's texts, each with whether it is inside a live region."""

    def __init__(self):
        super().__init__()
        self.stack, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(bool(LIVE & set(attrs)))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip():
            self.texts.append((" ".join(data.split()), any(self.stack)))


def live(html, text):
    """Whether ``text`` is on the page, and every time inside a live region."""
    parser = LiveTexts()
    parser.feed(html)
    found = [inside for data, inside in parser.texts if text in data]
    return bool(found) and all(found)


def test_a_message_of_the_messages_framework_is_in_a_status_region(client):
    client.force_login(UserFactory())

    response = client.post(reverse("accounts:language"), {"language": "de", "next": reverse("accounts:profile")})
    page = client.get(response["Location"])

    assert live(page.content.decode(), "Cette langue n'est pas proposée.")


def test_the_error_summary_of_a_form_is_an_alert(client):
    page = client.post(reverse("accounts:login"), {"username": "personne@example.fr", "password": "faux"})

    html = page.content.decode()
    assert 'role="alert"' in html
    parser = LiveTexts()
    parser.feed(html)
    assert any(inside for _, inside in parser.texts), "no text inside the error summary"
    assert not live(html, "Adresse électronique")  # the fields themselves are not in the live region


def test_the_exports_progress_is_in_a_live_region(client):
    instructeur = UserFactory(instructeur=True)
    export = Export.objects.create(requested_by=instructeur, format="csv")
    client.force_login(instructeur)

    page = client.get(reverse("reviews:export_detail", kwargs={"pk": export.pk}))

    assert live(page.content.decode(), "État :")
