"""E-mails and PDF notices follow their recipient's language (issue 14): the account's choice (User.language), not the
page that caused them. An owner who chose English gets the receipt and its e-mail in English; the co-editor, in
French, gets the same submission's e-mail in French; an address with no account gets French."""

import io

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import translation
from pypdf import PdfReader

from applications.models import Notice
from applications.services.submission import submit_dossier
from ptce_ami.core.emails import build_email, recipient_language
from ptce_ami.core.models import OutboundEmail
from tests.accounts.factories import UserFactory
from tests.applications.test_receipt import COEDITOR, REFERENCE, SUBMITTED_AT, load_referential, make_dossier

pytestmark = pytest.mark.django_db


def test_the_recipients_language_is_their_accounts_and_french_without_one():
    UserFactory(email="anne@example.fr", language="en")
    UserFactory(email="paul@example.fr", language="fr")

    assert recipient_language("Anne@Example.fr") == "en"
    assert recipient_language("paul@example.fr") == "fr"
    assert recipient_language("nobody@example.fr") == "fr"


def test_an_email_is_written_in_its_recipients_language_whatever_the_page_that_sends_it():
    UserFactory(email="anne@example.fr", language="en")
    context = {"email": "anne@example.fr", "uid": "MQ", "token": "abc-123"}

    with translation.override("fr"):
        english = build_email("accounts/email/password_reset", "anne@example.fr", context)
    with translation.override("en"):
        french = build_email("accounts/email/password_reset", "paul@example.fr", {**context, "email": "paul"})

    assert english.subject == "AMI PTCE — choose a new password"
    assert "Bonjour" not in english.body
    assert french.subject == "AMI PTCE — choisir un nouveau mot de passe"
    assert "Bonjour" in french.body


def test_an_english_owner_gets_the_receipt_in_english_and_the_french_coeditor_gets_french(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_referential()
    dossier = make_dossier(reference=REFERENCE)
    dossier.owner.language = "en"
    dossier.owner.save(update_fields=["language"])
    UserFactory(email=COEDITOR, language="fr")
    mail.outbox = []

    with TestCase.captureOnCommitCallbacks(execute=True):
        version = submit_dossier(dossier, by=dossier.owner, now=SUBMITTED_AT)

    notice = Notice.objects.get(version=version)
    with notice.file.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert reader.metadata.title == f"Acknowledgement of submission — {REFERENCE}"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "Acknowledgement of submission" in text
    assert "Accusé de réception" not in text
    # What was frozen in French at submission is said in English: titles, labels, choices, yes/no, the members' roles;
    # the times the English way; what the porteur typed stays as typed.
    for english in ("The hub", "Hub name", "Development stage", "Emergence", "Yes", "Lead organisation", "14:32:05"):
        assert english in text, english
    for french in ("Nom du pôle", "Stade de développement", "Oui", "Structure porteuse", "14 h 32"):
        assert french not in text, french
    assert "Pôle Réemploi & Solidarités de la Métropole lyonnaise" in text
    subjects = {email.recipient: email.subject for email in OutboundEmail.objects.about(dossier)}
    assert subjects[dossier.owner.email] == f"AMI PTCE — application {REFERENCE} submitted"
    assert subjects[COEDITOR] == f"AMI PTCE — dossier {REFERENCE} déposé"
