"""Decision letters and the grant notification (applications.services.letters): their HTML (snapshots), their PDF
(smoke tests), issuing them (motivation, numbering, refusals, retries), the notice e-mail, and the staff entry points
in the admin.

Tests that only issue replace ``html_to_pdf`` (``fake_pdf``); the PDF tests render for real (≈ 150 ms each).
"""

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from freezegun import freeze_time
from pypdf import PdfReader
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from applications.enums import DossierState, MemberRole, NoticeKind, NoticeStatus, PhaseKind
from applications.models import DossierInvitation, DossierTransition, Notice, Phase
from applications.services import letters, notices, notifications
from ptce_ami.core.models import OutboundEmail
from ptce_ami.core.money import euros
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory, siret_from

pytestmark = pytest.mark.django_db

ISSUED_AT = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
DECIDED_AT = dt.datetime(2026, 11, 18, 15, 30, tzinfo=dt.UTC)
POLE = "Pôle Réemploi & Solidarités de la Métropole lyonnaise"
LEAD = "Association Coop des Rives — Économie circulaire et coopération"
COEDITOR = "coeditrice@example.fr"
APPRECIATION = (
    "Le comité salue une coopération déjà ancienne entre l'atelier de réemploi, les entreprises du bâtiment et la "
    "Métropole, une gouvernance partagée et un modèle économique crédible. Il recommande de consolider la fonction "
    "d'animation et de formaliser l'engagement des collectivités dans une convention pluriannuelle."
)
REFUSAL = (
    "Le comité a relevé l'intérêt du projet de réemploi des matériaux et la qualité du diagnostic territorial.\n\n"
    "Il n'a toutefois pas retenu la candidature : la coopération repose à ce stade sur deux structures seulement, "
    "l'engagement de la collectivité partenaire n'est pas formalisé et le budget prévisionnel ne distingue pas les "
    "moyens consacrés à l'animation du pôle."
)
ACTIONS = {DossierState.LAUREATE: "select_laureate", DossierState.NOT_RETAINED: "not_retain"}


class HTMLSnapshot(SingleFileSnapshotExtension):
    """Snapshots kept as .html files (tests/applications/__snapshots__/<module>/), readable and viewable."""

    file_extension = "html"
    _write_mode = WriteMode.TEXT


def snapshot_lines(html):
    """Blank lines left by template tags carry no meaning; leave them out of the snapshot."""
    return "\n".join(line.rstrip() for line in html.splitlines() if line.strip()) + "\n"


def squash(text):
    """Whitespace squashed, the French no-break spaces (narrow or not) read as plain spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def html_text(markup):
    return squash(re.sub(r"<[^>]+>", " ", markup).replace("&#x27;", "'").replace("&amp;", "&"))


def pdf_texts(content):
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def phase_of(kind):
    """Wave 1 of the kind in the 2026 edition, shared by the dossiers of a test (fixed, for snapshots)."""
    phase = Phase.objects.filter(edition__year=2026, kind=kind, wave=1).first()
    return phase or PhaseFactory(kind=kind, wave=1, max_grant=Decimal(80_000))


def decided_dossier(state, comment, *, kind=PhaseKind.PHASE1, reference="PTCE-2026-P1-0042", decided_at=DECIDED_AT):
    """A dossier decided by the committee, with fixed names, SIRET and dates (for snapshots). Needs the referential."""
    dossier = DossierFactory(
        complete=True,
        reference=reference,
        name=POLE,
        contact_name="Camille Martin-Lefèvre",
        contact_email="camille.martin@coop-des-rives.fr",
        owner__first_name="Claire",
        owner__last_name="Dubois",
        owner__email=f"claire.dubois.{reference.lower()}@example.fr",
        phase=phase_of(kind),
        state=state,
        submitted_at=dt.datetime(2026, 9, 30, 10, 0, tzinfo=dt.UTC),
    )
    lead = dossier.members.get(role=MemberRole.LEAD)
    lead.name, lead.siret = LEAD, siret_from(4240)
    lead.save(update_fields=["name", "siret"])
    DossierInvitation.objects.create(dossier=dossier, email=COEDITOR, invited_by=dossier.owner)
    decide(dossier, state, comment, at=decided_at)
    return dossier


def decide(dossier, state, comment, *, at):
    DossierTransition.objects.create(
        dossier=dossier,
        action=ACTIONS[state],
        from_state=DossierState.ELIGIBLE,
        to_state=state,
        by=UserFactory(instructeur=True),
        at=at,
        comment=comment,
    )
    dossier.state = state
    dossier.save(update_fields=["state"])


@pytest.fixture
def laureate(referential):
    return decided_dossier(DossierState.LAUREATE, APPRECIATION)


@pytest.fixture
def laureate_phase2(referential):
    return decided_dossier(DossierState.LAUREATE, APPRECIATION, kind=PhaseKind.PHASE2, reference="PTCE-2026-P2-0007")


@pytest.fixture
def not_retained(referential):
    return decided_dossier(DossierState.NOT_RETAINED, REFUSAL, reference="PTCE-2026-P1-0043")


@pytest.fixture
def fake_pdf(monkeypatch):
    """html_to_pdf replaced: each call returns a distinct small PDF; the HTML it was given is kept in ``calls``."""
    calls = []

    def render(html):
        calls.append(html)
        return b"%PDF-1.7\n% fake n. " + str(len(calls)).encode() + b"\n%%EOF\n"

    monkeypatch.setattr(notices, "html_to_pdf", render)
    return calls


@pytest.fixture
def broken_pdf(monkeypatch):
    def render(html):
        raise RuntimeError("mémoire insuffisante")

    monkeypatch.setattr(notices, "html_to_pdf", render)


def read(notice):
    with notice.file.open("rb") as handle:
        return handle.read()


# The HTML


def decision_html(dossier, **kwargs):
    transition = dossier.transitions.get()
    return letters.render_decision_html(
        dossier, outcome=dossier.state, motivation=transition.comment, decided_at=transition.at, **kwargs
    )


@freeze_time(ISSUED_AT)
def test_laureate_letter_html_snapshot(laureate, snapshot):
    assert snapshot_lines(decision_html(laureate)) == snapshot(extension_class=HTMLSnapshot)


@freeze_time(ISSUED_AT)
def test_not_retained_letter_html_snapshot(not_retained, snapshot):
    assert snapshot_lines(decision_html(not_retained)) == snapshot(extension_class=HTMLSnapshot)


@freeze_time(ISSUED_AT)
def test_grant_notification_html_snapshot(laureate_phase2, snapshot):
    html = letters.render_grant_html(laureate_phase2, amount=Decimal(80_000), decided_at=DECIDED_AT)

    assert snapshot_lines(html) == snapshot(extension_class=HTMLSnapshot)


@freeze_time(ISSUED_AT)
def test_laureate_letter_of_phase_1_gives_the_label_and_the_bouquet(laureate):
    text = html_text(decision_html(laureate))

    assert "Objet : décision relative à la candidature du pôle « Pôle Réemploi & Solidarités de la Métropole" in text
    assert f"{LEAD} SIRET 000 042 408 42403 À l'attention de Camille Martin-Lefèvre Lyon (69)" in text
    assert "Madame, Monsieur, J'ai le plaisir de vous informer" in text
    assert "au titre de la phase 1 « PTCE émergents » de l'appel à manifestation d'intérêt « AMI PTCE 2026 »" in text
    assert "a été retenue le 18 novembre 2026" in text
    assert "le label « PTCE émergent »" in text
    assert "bouquet de services" in text and "transfert de savoir-faire avec un PTCE compagnon" in text
    assert "La cellule régionale d'animation Auvergne-Rhône-Alpes prendra contact avec vous" in text
    assert f"Appréciation du comité de sélection : {APPRECIATION}" in text
    assert "Pour le ministre et par délégation, le chef du bureau" in text
    assert "recours" not in text


@freeze_time(ISSUED_AT)
def test_laureate_letter_of_phase_2_announces_the_grant_over_two_years(laureate_phase2):
    text = html_text(decision_html(laureate_phase2, amount=Decimal(80_000)))

    assert "au titre de la phase 2 « financement »" in text
    assert "une aide de l'État d'un montant de 80 000 € sur 2 ans" in text
    assert "notification d'attribution" in text
    assert "label « PTCE émergent »" not in text


@freeze_time(ISSUED_AT)
def test_not_retained_letter_gives_the_motivation_and_the_appeal_routes(not_retained):
    text = html_text(decision_html(not_retained))

    assert "J'ai le regret de vous informer" in text
    assert "n'a pas été retenue le 18 novembre 2026" in text
    assert "Motifs de la décision : Le comité a relevé l'intérêt du projet" in text
    assert "moyens consacrés à l'animation du pôle." in text
    assert "Voies et délais de recours" in text
    assert "dans un délai de deux mois à compter de sa notification" in text
    assert "recours gracieux auprès du ministre" in text
    assert "recours contentieux devant le tribunal administratif" in text


@freeze_time(ISSUED_AT)
def test_a_decision_on_the_first_of_the_month_is_dated_the_french_way(referential):
    dossier = decided_dossier(DossierState.LAUREATE, "", decided_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))

    assert "a été retenue le 1er décembre 2026" in html_text(decision_html(dossier))


@freeze_time(ISSUED_AT)
def test_grant_notification_states_amount_two_years_and_the_obligations(laureate_phase2):
    html = letters.render_grant_html(laureate_phase2, amount=Decimal(80_000), decided_at=DECIDED_AT)
    text = html_text(html)

    assert "80\u202f000\u202f€" in html
    assert "Montant de l'aide 80 000 €" in text
    assert "Durée 2 ans à compter de la signature de la convention" in text
    assert "versement échelonné" in text and "peut être suspendu" in text
    assert "comité de suivi au moins deux fois par an" in text
    assert "évaluation d'impact en fin de période" in text
    assert "impact social, économique et environnemental" in text
    assert "décret n° 2015-431 du 15 avril 2015" in text
    assert "Le 18 novembre 2026, la candidature du pôle" in text


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (100_000, "100\u202f000\u202f€"),
        (Decimal("80000.00"), "80\u202f000\u202f€"),
        (Decimal("30000.5"), "30\u202f000,50\u202f€"),
        (999, "999\u202f€"),
        (1_500_000, "1\u202f500\u202f000\u202f€"),
    ],
)
def test_euros_the_french_way(amount, expected):
    assert euros(amount) == expected


# Issuing


def test_issue_decision_letter_makes_a_ready_notice_and_sends_nothing(
    laureate, fake_pdf, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = letters.issue_decision_letter(laureate, by=UserFactory(instructeur=True))

    notice.refresh_from_db()
    assert (notice.kind, notice.number, notice.status, notice.attempts) == (
        NoticeKind.LAUREATE_LETTER,
        1,
        NoticeStatus.READY,
        1,
    )
    assert notice.sha256 == hashlib.sha256(read(notice)).hexdigest()
    assert "J'ai le plaisir de vous informer" in fake_pdf[0]
    assert OutboundEmail.objects.count() == 0
    assert mailoutbox == []


def test_issue_decision_letter_takes_the_motivation_of_the_latest_decision(
    laureate, fake_pdf, django_capture_on_commit_callbacks
):
    decide(laureate, DossierState.LAUREATE, "Motivation après réexamen.", at=DECIDED_AT + dt.timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        notice = letters.issue_decision_letter(laureate, by=None)

    [html] = fake_pdf
    assert "Motivation après réexamen." in html
    assert "Le comité salue" not in html
    assert "a été retenue le 20 novembre 2026" in html_text(html)
    assert notice.kind == NoticeKind.LAUREATE_LETTER


def test_issue_decision_letter_of_a_dossier_not_retained(not_retained, fake_pdf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = letters.issue_decision_letter(not_retained, by=None)

    assert notice.kind == NoticeKind.NOT_RETAINED_LETTER
    assert "Motifs de la décision" in fake_pdf[0]


def test_regenerating_a_letter_gives_a_new_number_and_keeps_the_previous_file(
    laureate, fake_pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = letters.issue_decision_letter(laureate, by=None)
    first.refresh_from_db()
    first_content = read(first)

    with django_capture_on_commit_callbacks(execute=True):
        second = letters.issue_decision_letter(laureate, by=None)

    first.refresh_from_db()
    second.refresh_from_db()
    assert [(notice.number, notice.status) for notice in (first, second)] == [
        (1, NoticeStatus.READY),
        (2, NoticeStatus.READY),
    ]
    assert first.file.name != second.file.name
    assert read(first) == first_content
    assert first.sha256 == hashlib.sha256(first_content).hexdigest()
    assert read(second) != first_content
    assert default_storage.exists(notices.source_path(first)) and default_storage.exists(notices.source_path(second))


@pytest.mark.parametrize("state", [DossierState.SUBMITTED, DossierState.ELIGIBLE, DossierState.INELIGIBLE])
def test_no_decision_letter_for_an_undecided_dossier(referential, state):
    dossier = DossierFactory(complete=True, state=state)

    with pytest.raises(letters.LetterRefused, match="n'est ni lauréat ni non retenu"):
        letters.issue_decision_letter(dossier, by=None)

    assert Notice.objects.count() == 0


def test_no_refusal_letter_without_a_motivation(referential):
    dossier = decided_dossier(DossierState.NOT_RETAINED, "  ")

    with pytest.raises(letters.LetterRefused, match="n'est pas motivée"):
        letters.issue_decision_letter(dossier, by=None)

    assert Notice.objects.count() == 0


def test_a_letter_that_cannot_be_rendered_is_retried_then_left_failed(
    laureate, broken_pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = letters.issue_decision_letter(laureate, by=None)  # the porteur is not involved: nothing raised

    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.error) == (
        NoticeStatus.FAILED,
        4,
        "RuntimeError: mémoire insuffisante",
    )
    assert default_storage.exists(notices.source_path(notice))  # kept for a later retry


def test_issue_grant_notification(laureate_phase2, fake_pdf, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = letters.issue_grant_notification(laureate_phase2, amount="75000", by=None)

    notice.refresh_from_db()
    assert (notice.kind, notice.number, notice.status) == (NoticeKind.GRANT_NOTIFICATION, 1, NoticeStatus.READY)
    assert "Montant de l'aide 75 000 €" in html_text(fake_pdf[0])


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal(80_001), "ne pas dépasser le plafond de la phase \\(80\u202f000\u202f€\\)"),
        (0, "doit être positif"),
        ("beaucoup", "doit être un nombre d'euros"),
    ],
)
def test_no_grant_notification_out_of_bounds(laureate_phase2, amount, message):
    with pytest.raises(letters.LetterRefused, match=message):
        letters.issue_grant_notification(laureate_phase2, amount=amount, by=None)

    assert Notice.objects.count() == 0


def test_no_grant_notification_for_a_phase_1_laureate(laureate):
    with pytest.raises(letters.LetterRefused, match="n'est pas lauréat de la phase 2"):
        letters.issue_grant_notification(laureate, amount=10_000, by=None)


# The PDF


@freeze_time(ISSUED_AT)
@pytest.mark.parametrize(
    ("fixture", "title", "expected"),
    [
        (
            "laureate",
            "Lettre de décision",
            ["LETTRE DE DÉCISION", "PTCE émergent", "a été retenue le 18 novembre 2026"],
        ),
        (
            "not_retained",
            "Lettre de décision",
            ["n'a pas été retenue le 18 novembre 2026", "Voies et délais de recours"],
        ),
        (
            "laureate_phase2",
            "Notification d'attribution d'une aide",
            ["NOTIFICATION D'ATTRIBUTION D'UNE AIDE", "80 000 €", "Le 18 novembre 2026"],
        ),
    ],
)
def test_letter_pdf(fixture, title, expected, request, django_capture_on_commit_callbacks):
    dossier = request.getfixturevalue(fixture)
    with django_capture_on_commit_callbacks(execute=True):
        if fixture == "laureate_phase2":
            notice = letters.issue_grant_notification(dossier, amount=80_000, by=None)
        else:
            notice = letters.issue_decision_letter(dossier, by=None)

    notice.refresh_from_db()
    content = read(notice)
    assert notice.status == NoticeStatus.READY
    assert content.startswith(b"%PDF-")
    assert notice.sha256 == hashlib.sha256(content).hexdigest()
    pages = pdf_texts(content)
    for number, text in enumerate(pages, start=1):
        assert dossier.reference in text, number
        assert "21 novembre 2026" in text, number
        assert f"page {number} / {len(pages)}" in text
    text = " ".join(pages)
    assert "Économie" in text and "coopération" in text
    assert "Madame, Monsieur," in text and "Pour le ministre et par délégation," in text
    for phrase in expected:
        assert phrase in text
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title == f"{title} — {dossier.reference}"  # one line: no line breaks from the template
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged (PDF/UA-1)
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"].value is True


# The notice e-mail (for when decisions are published)


def test_send_notice_email_tells_each_porteur_once_with_the_pdf(
    laureate, fake_pdf, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = letters.issue_decision_letter(laureate, by=None)
    notice.refresh_from_db()
    staff = UserFactory(instructeur=True)

    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_notice_email(notice, staff)
        notifications.send_notice_email(notice, staff)

    assert [message.to for message in mailoutbox] == [[laureate.owner.email], [COEDITOR]]
    message = mailoutbox[0]
    assert message.subject == "AMI PTCE — un document est disponible pour le dossier PTCE-2026-P1-0042"
    body = squash(message.body)
    assert "Un document est disponible sur votre espace : Lettre de décision — lauréat" in body
    assert f"« {POLE} » (référence PTCE-2026-P1-0042)" in body
    assert message.attachments == [("lettre-de-decision-PTCE-2026-P1-0042.pdf", read(notice), "application/pdf")]
    assert OutboundEmail.objects.filter(key__startswith=f"notice:{notice.pk}:").count() == 2


def test_send_notice_email_refuses_a_notice_not_ready(laureate):
    notice = Notice.objects.create(dossier=laureate, kind=NoticeKind.LAUREATE_LETTER)

    with pytest.raises(ValueError, match="not ready"):
        notifications.send_notice_email(notice, None)


# The admin


def changelist(model):
    return reverse(f"admin:applications_{model}_changelist")


def test_the_decision_letter_action_issues_letters_for_decided_dossiers_only(
    client, laureate, not_retained, fake_pdf, django_capture_on_commit_callbacks
):
    eligible = DossierFactory(complete=True, state=DossierState.ELIGIBLE)
    client.force_login(UserFactory(administrateur=True))
    selected = [laureate.pk, not_retained.pk, eligible.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist("dossier"), {"action": "issue_decision_letters", "_selected_action": selected}, follow=True
        )

    assert response.status_code == 200
    assert sorted(Notice.objects.values_list("dossier__reference", "kind", "status")) == [
        ("PTCE-2026-P1-0042", NoticeKind.LAUREATE_LETTER, NoticeStatus.READY),
        ("PTCE-2026-P1-0043", NoticeKind.NOT_RETAINED_LETTER, NoticeStatus.READY),
    ]
    shown = [str(message) for message in response.context["messages"]]
    assert f"{eligible.reference} : le dossier n'est pas décidé, aucune lettre produite." in shown
    assert any(message.startswith("2 lettres de décision en production") for message in shown)


def test_instructeurs_follow_the_notices_in_the_admin(
    client, laureate, broken_pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letters.issue_decision_letter(laureate, by=None)
    client.force_login(UserFactory(instructeur=True))

    response = client.get(changelist("notice"), {"status__exact": NoticeStatus.FAILED})

    assert response.status_code == 200
    assert laureate.reference in response.text
    assert "RuntimeError: mémoire insuffisante" in response.text
    assert client.get(changelist("dossier")).status_code == 403


@pytest.mark.parametrize("role", ["porteur", "evaluateur", "partenaire"])
def test_the_notice_admin_is_closed_to_other_roles(client, role):
    client.force_login(UserFactory(**{role: True}))

    response = client.get(changelist("notice"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_retry_action_produces_failed_notices_again(
    client, laureate, not_retained, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: b"%PDF-1.7\n%%EOF\n")
    with django_capture_on_commit_callbacks(execute=True):
        ready = letters.issue_decision_letter(not_retained, by=None)
    ready.refresh_from_db()
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        failed = letters.issue_decision_letter(laureate, by=None)
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: b"%PDF-1.7\n% again\n%%EOF\n")
    client.force_login(UserFactory(instructeur=True))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist("notice"),
            {"action": "retry_production", "_selected_action": [ready.pk, failed.pk]},
            follow=True,
        )

    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == (NoticeStatus.READY, "", 5)
    assert Notice.objects.get(pk=ready.pk).file.name == ready.file.name
    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        "1 avis remis en production.",
        "1 avis déjà disponible : il n'est pas produit à nouveau.",
    ]
