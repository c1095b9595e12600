"""The staff dossier page (/instruction/dossiers/<reference>/): who sees it, what it shows, the zip of its files,
eligibility overrides, private annotations (never on the porteur's pages), labels and a constant query count."""

import datetime as dt
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState, RuleStatus
from applications.models import Annotation, Label, Message, MessageAttachment
from applications.services.eligibility import override_result
from applications.services.workflow import transition
from applications.views import messages as message_views
from applications.workflow import MotivationRequired
from reviews.views import assignments, evaluation
from tests.accounts.factories import UserFactory
from tests.applications.factories import PDF_BYTES, AttachmentFactory, DossierFactory, MemberFactory
from tests.reviews.factories import AssignmentFactory
from tests.reviews.test_instruction_list import add_run, corsican_dossier, region


def page_url(dossier, name="reviews:dossier", **kwargs):
    return reverse(name, kwargs={"reference": dossier.reference, **kwargs})


@pytest.fixture
def dossier(referential):
    return DossierFactory(complete=True, submitted=True)


@pytest.fixture
def instructeur(db):
    return UserFactory(instructeur=True)


def users_by_role(dossier):
    reviewer = AssignmentFactory(dossier=dossier, confirmed=True).reviewer
    return {
        "instructeur": UserFactory(instructeur=True),
        "partenaire": UserFactory(partenaire=True, regions=[region("84")]),
        "other_partenaire": UserFactory(partenaire=True, regions=[region("94")]),
        "assigned_evaluateur": reviewer,
        "evaluateur": UserFactory(evaluateur=True),
        "porteur": dossier.owner,
        "other_porteur": UserFactory(),
    }


EXPECTED = {
    "instructeur": 200,
    "partenaire": 200,
    "other_partenaire": 404,
    "assigned_evaluateur": 404,
    "evaluateur": 404,
    "porteur": 404,
    "other_porteur": 404,
}


@pytest.mark.parametrize("name", ["reviews:dossier", "reviews:dossier_zip"])
def test_staff_pages_for_every_role(client, dossier, name):
    users = users_by_role(dossier)
    for role, expected in EXPECTED.items():
        client.force_login(users[role])
        assert client.get(page_url(dossier, name)).status_code == expected, role


def test_a_draft_has_no_staff_page(client, instructeur, db):
    draft = DossierFactory()
    client.force_login(instructeur)
    assert client.get(page_url(draft)).status_code == 404


def test_page_shows_sections_members_territory_attachments_and_history(client, instructeur, dossier):
    transition(dossier, "start_review", by=instructeur)
    client.force_login(instructeur)
    response = client.get(page_url(dossier))
    content = response.content.decode()
    assert "Mutualiser un atelier de réemploi." in content  # narrative section
    assert "Lyon (69)" in content and "Villeurbanne (69)" in content  # territory
    assert "Auvergne-Rhône-Alpes" in content  # region derived from the territory
    for member in dossier.members.all():
        assert member.name in content and member.siret in content
    assert "Entreprise hors ESS" in content and "Association" in content and "Structure porteuse" in content
    attachment = dossier.attachments.first()
    download = reverse(
        "applications:attachment_download", kwargs={"reference": dossier.reference, "attachment_id": attachment.pk}
    )
    assert download in content
    assert page_url(dossier, "reviews:dossier_zip") in content
    assert "Déposé → En instruction" in content
    assert instructeur.get_full_name() in content


def test_page_merges_the_panels_contexts(client, instructeur, dossier, monkeypatch):

    seen = []
    monkeypatch.setattr(message_views, "thread_context", lambda d, u: seen.append("thread") or {"thread": 1})
    monkeypatch.setattr(assignments, "dossier_panel_context", lambda d, u: seen.append("assign") or {"panel": 2})
    monkeypatch.setattr(evaluation, "dossier_reviews_context", lambda d, u: seen.append("reviews") or {"rev": 3})
    client.force_login(instructeur)
    response = client.get(page_url(dossier))
    assert seen == ["thread", "assign", "reviews"]
    assert (response.context["thread"], response.context["panel"], response.context["rev"]) == (1, 2, 3)


def make_page_dossier(instructeur, count):
    """A dossier with ``count`` extra members, attachments, transitions, annotations and eligibility results."""
    dossier = DossierFactory(complete=True, submitted=True)
    for _ in range(count):
        MemberFactory(dossier=dossier)
        AttachmentFactory(dossier=dossier)
        Annotation.objects.create(dossier=dossier, author=instructeur, body="Note")
        Label.objects.get_or_create(name=f"Étiquette {_}")[0].dossiers.add(dossier)
    transition(dossier, "start_review", by=instructeur)
    if count > 1:
        transition(dossier, "declare_ineligible", by=instructeur, comment="Pas de membre hors ESS.")
        transition(dossier, "reopen", by=instructeur, comment="Erreur.")
    add_run(dossier, *([RuleStatus.PASS] * count))
    return dossier


@pytest.mark.parametrize("role", ["instructeur", "partenaire"])
def test_page_runs_a_constant_number_of_queries(client, referential, role):
    instructeur = UserFactory(instructeur=True)
    user = UserFactory(**{role: True}, regions=[region("84")] if role == "partenaire" else None)
    client.force_login(user)
    counts = []
    for count in (1, 3):
        dossier = make_page_dossier(instructeur, count)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(dossier)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The zip ------------------------------------------------------------------------------------------------------


PARIS = ZoneInfo("Europe/Paris")
UPLOADED = dt.datetime(2026, 1, 15, 9, 41, 7, tzinfo=PARIS)


def zip_of(client, dossier):
    response = client.get(page_url(dossier, "reviews:dossier_zip"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{dossier.reference}.zip"'
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_zip_holds_current_attachments_and_message_attachments_with_safe_names(client, instructeur, dossier):
    removed = AttachmentFactory(dossier=dossier, original_name="ancien.pdf")
    removed.removed_at = removed.uploaded_at
    removed.save()
    AttachmentFactory(dossier=dossier, kind="autre", original_name="../../etc/passwd")
    AttachmentFactory(dossier=dossier, kind="autre", original_name="Bilan été 2025.pdf")
    AttachmentFactory(dossier=dossier, kind="autre", original_name="Bilan ete 2025.pdf")
    AttachmentFactory(dossier=dossier, kind="autre", original_name="C:\\Documents\\Budget: v2?.pdf")
    AttachmentFactory(dossier=dossier, kind="autre", original_name="budget  V2 .PDF")
    message = Message.objects.create(dossier=dossier, author=instructeur, from_staff=True, body="Voici")
    MessageAttachment.objects.create(
        message=message,
        file=ContentFile(b"%PDF-1.4 message", name="m.pdf"),
        original_name="Réponse/..\\courrier.pdf",
        extension=".pdf",
        content_type="application/pdf",
        size=16,
        sha256="0" * 64,
    )
    client.force_login(instructeur)

    archive = zip_of(client, dossier)

    names = archive.namelist()
    date = timezone.localtime(message.created_at).strftime("%Y-%m-%d")
    assert sorted(names) == sorted(
        [
            "Pièces du dossier/Attestation sur l'honneur.pdf",
            "Pièces du dossier/Statuts de la structure porteuse.pdf",
            "Pièces du dossier/Autre pièce - passwd.pdf",
            "Pièces du dossier/Autre pièce - Bilan été 2025.pdf",
            "Pièces du dossier/Autre pièce - Bilan ete 2025.pdf",
            "Pièces du dossier/Autre pièce - Budget v2.pdf",
            "Pièces du dossier/Autre pièce - budget V2 (2).pdf",
            f"Pièces jointes aux messages/{date} - courrier.pdf",
        ]
    )
    assert all(".." not in name and not name.startswith("/") and "\\" not in name for name in names)
    assert archive.read("Pièces du dossier/Statuts de la structure porteuse.pdf") == PDF_BYTES
    assert archive.read(f"Pièces jointes aux messages/{date} - courrier.pdf") == b"%PDF-1.4 message"


def test_zip_names_a_members_piece_after_the_member_once(client, instructeur, dossier):
    member = MemberFactory(dossier=dossier, name="Coopérative des Monts")
    AttachmentFactory(dossier=dossier, member=member, kind="lettre_engagement")
    AttachmentFactory(
        dossier=dossier, member=member, kind="lettre_engagement", original_name="coopérative des monts.pdf"
    )
    client.force_login(instructeur)

    names = zip_of(client, dossier).namelist()

    assert [name for name in names if "engagement" in name] == [
        "Pièces du dossier/Lettre d'engagement d'un membre - Coopérative des Monts.pdf",
        "Pièces du dossier/Lettre d'engagement d'un membre - Coopérative des Monts (2).pdf",
    ]


def test_zip_entries_are_dated_when_uploaded_in_paris_time(client, instructeur, dossier):
    dossier.attachments.update(uploaded_at=UPLOADED)
    summer = dt.datetime(2026, 7, 1, 23, 30, 5, tzinfo=PARIS)  # 21:30 UTC, and the next day in Paris's terms
    message = Message.objects.create(dossier=dossier, author=instructeur, from_staff=True, body="Voici")
    Message.objects.filter(pk=message.pk).update(created_at=summer)
    MessageAttachment.objects.create(
        message=message,
        file=ContentFile(b"%PDF-1.4 message", name="m.pdf"),
        original_name="courrier.pdf",
        extension=".pdf",
        content_type="application/pdf",
        size=16,
        sha256="0" * 64,
    )
    client.force_login(instructeur)

    archive = zip_of(client, dossier)

    dates = {info.filename: info.date_time for info in archive.infolist()}
    # Zip times count seconds by two.
    assert dates == {
        "Pièces du dossier/Attestation sur l'honneur.pdf": (2026, 1, 15, 9, 41, 6),
        "Pièces du dossier/Statuts de la structure porteuse.pdf": (2026, 1, 15, 9, 41, 6),
        "Pièces jointes aux messages/2026-07-01 - courrier.pdf": (2026, 7, 1, 23, 30, 4),
    }
    assert {info.external_attr >> 16 for info in archive.infolist()} == {0o100644}  # a file, rw-r--r--


# Eligibility overrides -----------------------------------------------------------------------------------------


@pytest.fixture
def run(dossier):
    return add_run(dossier, RuleStatus.FAIL, RuleStatus.PASS)


def override_url(dossier, result):
    return page_url(dossier, "reviews:eligibility_override", result_id=result.pk)


def test_override_with_motivation(client, instructeur, dossier, run):
    result = run.results.get(rule_id="R1")
    client.force_login(instructeur)
    prefix = f"regle-{result.pk}"
    response = client.post(
        override_url(dossier, result), {f"{prefix}-status": "pass", f"{prefix}-motivation": "Kbis reçu par courriel."}
    )
    assert response.status_code == 302
    result.refresh_from_db()
    assert (result.status, result.effective_status, result.override_motivation) == (
        "fail",
        "pass",
        "Kbis reçu par courriel.",
    )
    assert result.overridden_by == instructeur
    assert "Kbis reçu par courriel." in client.get(page_url(dossier)).content.decode()


def test_override_without_motivation_shows_the_error_next_to_the_field(client, instructeur, dossier, run):
    result = run.results.get(rule_id="R1")
    client.force_login(instructeur)
    prefix = f"regle-{result.pk}"
    response = client.post(override_url(dossier, result), {f"{prefix}-status": "pass", f"{prefix}-motivation": "  "})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Indiquez la motivation" in content
    assert f'id="id_{prefix}-motivation"' in content
    result.refresh_from_db()
    assert result.override_status == ""


def test_override_is_refused_to_the_partner_of_the_region(client, dossier, run):
    """DESIGN §5: overriding an eligibility result is the instructeur's alone; the partner reads it."""
    result = run.results.get(rule_id="R2")
    client.force_login(UserFactory(partenaire=True, regions=[region("84")]))
    prefix = f"regle-{result.pk}"

    page = client.get(page_url(dossier))
    response = client.post(
        override_url(dossier, result), {f"{prefix}-status": "warning", f"{prefix}-motivation": "À revoir."}
    )

    assert page.status_code == 200 and all(form is None for _result, form in page.context["eligibility_rows"])
    assert response.status_code == 403
    assert "Seuls les instructeurs de l&#x27;État confirment" in response.content.decode()
    result.refresh_from_db()
    assert result.override_status == ""


@pytest.mark.parametrize(("role", "expected"), [("other_partenaire", 404), ("evaluateur", 404), ("porteur", 404)])
def test_override_refused_to_others(client, dossier, run, role, expected):
    result = run.results.get(rule_id="R1")
    client.force_login(users_by_role(dossier)[role])
    prefix = f"regle-{result.pk}"
    response = client.post(override_url(dossier, result), {f"{prefix}-status": "pass", f"{prefix}-motivation": "x"})
    assert response.status_code == expected
    result.refresh_from_db()
    assert result.override_status == ""


def test_override_only_on_the_latest_run(client, instructeur, dossier, run):
    old_result = run.results.get(rule_id="R1")
    add_run(dossier, RuleStatus.PASS)
    client.force_login(instructeur)
    prefix = f"regle-{old_result.pk}"
    response = client.post(
        override_url(dossier, old_result), {f"{prefix}-status": "pass", f"{prefix}-motivation": "x"}
    )
    assert response.status_code == 404


def test_override_result_service_requires_a_motivation(instructeur, run):
    result = run.results.first()
    with pytest.raises(MotivationRequired):
        override_result(result, status="pass", motivation=" ", by=instructeur)
    with pytest.raises(ValueError):
        override_result(result, status="maybe", motivation="x", by=instructeur)


# Annotations ---------------------------------------------------------------------------------------------------


SECRET = "Le trésorier est le beau-frère du maire : à vérifier."


def test_annotation_added_and_listed_by_staff(client, instructeur, dossier):
    client.force_login(instructeur)
    response = client.post(page_url(dossier, "reviews:annotation_create"), {"annotation-body": SECRET})
    assert response.status_code == 302
    assert Annotation.objects.get(dossier=dossier).author == instructeur
    assert SECRET in client.get(page_url(dossier)).content.decode()
    partner = UserFactory(partenaire=True, regions=[region("84")])
    client.force_login(partner)
    assert SECRET in client.get(page_url(dossier)).content.decode()


def test_empty_annotation_is_refused_with_a_message(client, instructeur, dossier):
    client.force_login(instructeur)
    response = client.post(page_url(dossier, "reviews:annotation_create"), {"annotation-body": "  "})
    assert response.status_code == 200
    assert "Écrivez le texte de l&#x27;annotation." in response.content.decode()
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("role", ["other_partenaire", "assigned_evaluateur", "porteur"])
def test_annotation_refused_to_non_staff(client, dossier, role):
    client.force_login(users_by_role(dossier)[role])
    response = client.post(page_url(dossier, "reviews:annotation_create"), {"annotation-body": SECRET})
    assert response.status_code == 404
    assert not Annotation.objects.exists()


def test_porteur_pages_never_show_annotations(client, instructeur, dossier):
    Annotation.objects.create(dossier=dossier, author=instructeur, body=SECRET)
    transition(dossier, "start_review", by=instructeur)
    transition(dossier, "request_corrections", by=instructeur, comment="Ajoutez un membre.")
    client.force_login(dossier.owner)
    urls = [
        reverse("applications:dossier_list"),
        reverse("site:dashboard"),
        page_url(dossier, "applications:dossier"),
        page_url(dossier, "applications:summary"),
        page_url(dossier, "applications:members"),
        page_url(dossier, "applications:attachments"),
        page_url(dossier, "applications:step", step="pole"),
    ]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url


# Labels -----------------------------------------------------------------------------------------------------------


def test_labels_chosen_and_created(client, instructeur, dossier):
    rural = Label.objects.create(name="Rural")
    Label.objects.create(name="QPV").dossiers.add(dossier)
    client.force_login(instructeur)
    response = client.post(
        page_url(dossier, "reviews:labels_update"), {"etiquettes-labels": [rural.pk], "etiquettes-new_label": "Comité"}
    )
    assert response.status_code == 302
    assert sorted(dossier.labels.values_list("name", flat=True)) == ["Comité", "Rural"]
    # The same name again reuses the label.
    client.post(page_url(dossier, "reviews:labels_update"), {"etiquettes-new_label": "comité"})
    assert Label.objects.filter(name__iexact="comité").count() == 1
    assert list(dossier.labels.values_list("name", flat=True)) == ["Comité"]


@pytest.mark.parametrize(("role", "expected"), [("other_partenaire", 404), ("evaluateur", 404), ("porteur", 404)])
def test_labels_refused_to_others(client, dossier, role, expected):
    client.force_login(users_by_role(dossier)[role])
    response = client.post(page_url(dossier, "reviews:labels_update"), {"etiquettes-new_label": "Pirate"})
    assert response.status_code == expected
    assert not Label.objects.exists()


def test_page_of_a_corsican_dossier_for_its_partner(client, referential):
    corsican = corsican_dossier()
    client.force_login(UserFactory(partenaire=True, regions=[region("94")]))
    assert client.get(page_url(corsican)).status_code == 200
    assert corsican.state == DossierState.SUBMITTED


def test_page_has_no_duplicate_ids(client, instructeur, referential):
    dossier = make_page_dossier(instructeur, 3)
    client.force_login(instructeur)
    ids = re.findall(r'\sid="([^"]+)"', client.get(page_url(dossier)).content.decode())
    assert len(ids) == len(set(ids))
