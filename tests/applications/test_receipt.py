"""The submission receipt (applications.services.notices): its HTML (snapshot), its PDF, the notice stored and
its e-mails queued in the outbox exactly once, rendering failures and retries, the re-queue sweep; and the
co-editor invitation e-mail.

A PDF render takes a few hundred milliseconds: the real one is made once per module (fixture ``issued``, a dossier
submitted through ``submit_dossier`` with the task run eagerly); the other tests replace ``html_to_pdf``.
"""

import copy
import dataclasses
import datetime as dt
import hashlib
import html
import io
import re

import pytest
from django.core import mail
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from pypdf import PdfReader

from applications import tasks
from applications.enums import AttachmentKind, DossierState, EssLegalForm, MemberCategory, NoticeKind, NoticeStatus
from applications.models import DossierInvitation, DossierVersion, Notice
from applications.services import notices
from applications.services.notifications import send_coeditor_invitation
from applications.services.submission import submit_dossier
from ptce_ami.core import files
from ptce_ami.core import tasks as core_tasks
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.models import OutboundEmail, SweepRun
from ptce_ami.core.siret import format_siret
from territories.loader import load_referential as load
from tests.applications.factories import AttachmentFactory, DossierFactory, MemberFactory, siret_from
from tests.applications.test_letters import HTMLSnapshot, snapshot_lines
from tests.territories import cog_mini

pytestmark = pytest.mark.django_db

REFERENCE = "PTCE-2026-P1-0042"
SUBMITTED_AT = dt.datetime(2026, 11, 21, 13, 32, 5, tzinfo=dt.UTC)  # 14 h 32 min 05 s in Paris (winter time)
SUBMITTED_FR = "Déposé le 21 novembre 2026 à 14 h 32 min 05 s (heure de Paris)"
PHASE_DATES = {
    "phase__opens_at": dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC),
    "phase__closes_at": dt.datetime(2026, 12, 1, 11, 0, tzinfo=dt.UTC),  # 12 h 00 in Paris
}
COEDITOR = "coeditrice@example.fr"
FAKE_PDF = b"%PDF-1.7\n% not a real rendering\n%%EOF\n"

STRATEGY = (
    "Le pôle réunit des structures de l'économie sociale et solidaire, des entreprises du bâtiment et la "
    "métropole autour d'une ambition commune : faire du réemploi des matériaux de construction une filière "
    "locale créatrice d'emplois non délocalisables. Nous mutualisons un atelier de 1 200 m² à Villeurbanne, "
    "une plateforme numérique de collecte et une équipe d'animation de deux personnes. Chaque membre s'engage "
    "à orienter vers l'atelier les matériaux issus de ses chantiers de déconstruction, à former ses salariés "
    "au diagnostic « ressources » et à participer au comité de pilotage mensuel. La stratégie s'articule en "
    "trois axes : la collecte et le tri, la remise en état et la revente, la sensibilisation des maîtres "
    "d'ouvrage publics et privés. À trois ans, nous visons 2 000 tonnes détournées de l'enfouissement par an, "
    "l'insertion de vingt-cinq personnes éloignées de l'emploi et l'équilibre économique de l'atelier."
) * 3


def long_text(topic):
    return f"{topic} — {STRATEGY}"


def make_dossier(**kwargs):
    """A complete dossier with realistic content: long narratives, five members, three attachments, a co-editor.

    Needs the referential loaded (Lyon, Villeurbanne).
    """
    dossier = DossierFactory(
        complete=True,
        name="Pôle Réemploi & Solidarités de la Métropole lyonnaise",
        summary=long_text("Présentation"),
        territory_description=long_text("Territoire"),
        shared_strategy=STRATEGY,
        governance=long_text("Gouvernance"),
        innovation=long_text("Innovation"),
        economic_model=long_text("Modèle économique"),
        expected_impact=long_text("Impact"),
        jobs_expected=25,
        **{**PHASE_DATES, **kwargs},
    )
    lead, enterprise, collectivite = dossier.members.order_by("position")
    enterprise.name = "Bâti’Loire Déconstruction SAS"
    enterprise.save(update_fields=["name"])
    collectivite.name = "Métropole de Lyon"
    collectivite.save(update_fields=["name"])
    scic = MemberFactory(
        dossier=dossier,
        name="SCIC Énergies citoyennes du Beaujolais et des Monts du Lyonnais",
        siret=siret_from(4242),
        ess_legal_form=EssLegalForm.COOPERATIVE_SCIC,
        commune=lead.commune,
    )
    MemberFactory(
        dossier=dossier,
        name="Laboratoire d'économie sociale — Université Lumière Lyon 2",
        siret=siret_from(4243),
        category=MemberCategory.RESEARCH,
        ess_legal_form="",
        commune=enterprise.commune,
    )
    sizes = {AttachmentKind.STATUTES: 245_760, AttachmentKind.SWORN_STATEMENT: 1_572_864}
    for attachment in dossier.attachments.all():
        attachment.original_name = f"{attachment.kind}-signé-{dossier.reference}.pdf"
        attachment.size = sizes[attachment.kind]
        attachment.sha256 = hashlib.sha256(attachment.original_name.encode()).hexdigest()
        attachment.save(update_fields=["original_name", "size", "sha256"])
    letter = "Lettre d'engagement de la SCIC Énergies citoyennes, signée par le conseil de gestion le 3 novembre.pdf"
    AttachmentFactory(
        dossier=dossier,
        kind=AttachmentKind.COMMITMENT_LETTER,
        member=scic,
        original_name=letter,
        size=3_407_872,
        sha256=hashlib.sha256(letter.encode()).hexdigest(),
    )
    DossierInvitation.objects.create(dossier=dossier, email=COEDITOR, invited_by=dossier.owner)
    return dossier


def load_referential():

    load(cog_mini.FIXTURE)


def squash(text):
    return " ".join(text.split())


def html_text(markup):
    """The HTML's text content, entities decoded and whitespace squashed, to assert on regardless of indentation."""
    return squash(html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def pdf_texts(content):
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def unwrapped(text):
    """PDF text with every line break and space removed: a checksum wrapped over two lines reads whole again."""
    return re.sub(r"\s+", "", text)


@dataclasses.dataclass
class Issued:
    version: DossierVersion
    notice: Notice
    pdf: bytes
    html: str
    emails: list
    outbox: list


@pytest.fixture(scope="module")
def issued(django_db_setup, django_db_blocker, tmp_path_factory):
    """A dossier submitted through submit_dossier, its receipt issued by the eager task: the module's one render.

    The data lives in a transaction kept open for the module and rolled back at its end; the tests run inside
    it (each in its own savepoint), so they can query and change it without affecting one another.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        load_referential()
        dossier = make_dossier(reference=REFERENCE)
        mail.outbox = []  # the messages a test before this module left there
        with TestCase.captureOnCommitCallbacks(execute=True):
            version = submit_dossier(dossier, by=dossier.owner, now=SUBMITTED_AT)
        notice = Notice.objects.get(version=version)
        with notice.file.open("rb") as file:
            content = file.read()
        outbox = list(OutboundEmail.objects.about(dossier).order_by("pk"))
        yield Issued(version, notice, content, notices.render_receipt_html(version), list(mail.outbox), outbox)
        transaction.set_rollback(True)


@pytest.fixture
def fail_on_render(monkeypatch):
    def refuse(html):
        raise AssertionError("html_to_pdf called")

    monkeypatch.setattr(notices, "html_to_pdf", refuse)


# The notice


def test_receipt_notice_is_ready_with_the_stored_pdf(issued):
    notice = issued.notice
    assert (notice.kind, notice.number, notice.status, notice.attempts, notice.error) == (
        NoticeKind.RECEIPT,
        1,
        NoticeStatus.READY,
        1,
        "",
    )
    assert notice.dossier_id == issued.version.dossier_id
    assert notice.rendered_at is not None
    assert issued.pdf.startswith(b"%PDF-")
    assert notice.sha256 == hashlib.sha256(issued.pdf).hexdigest()
    assert notice.file.name.endswith(".pdf")


def test_issue_receipt_again_renders_and_sends_nothing(
    issued, mailoutbox, fail_on_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = notices.issue_receipt(issued.version)

    assert notice.pk == issued.notice.pk
    assert Notice.objects.filter(dossier=issued.version.dossier).count() == 1
    assert OutboundEmail.objects.about(issued.version.dossier).count() == 2
    assert mailoutbox == []


def test_the_receipt_task_again_renders_and_sends_nothing(issued, mailoutbox, fail_on_render):
    result = tasks.issue_receipt.apply(kwargs={"version_id": issued.version.pk})

    assert result.successful() and result.result == issued.notice.pk
    assert mailoutbox == []


# The HTML


def test_receipt_html_states_reference_timestamp_and_submitter(issued):
    text = html_text(issued.html)
    owner = issued.version.dossier.owner
    assert text.count(REFERENCE) >= 2  # header (repeated on every page) and body
    assert SUBMITTED_FR in text
    assert f"Déposé par {owner.get_full_name()} ({owner.email})" in text
    assert "Version 1 — dépôt initial" in text
    assert "Pôle Pôle Réemploi & Solidarités de la Métropole lyonnaise" in text
    assert "Phase Phase 1 — PTCE émergents, vague" in text
    assert "Région Auvergne-Rhône-Alpes" in text
    assert "AMI PTCE 2026" in text


def test_receipt_html_lists_every_member_lead_first(issued):
    text = html_text(issued.html)
    members = issued.version.data["members"]
    positions = [text.index(f"{member['name']} {format_siret(member['siret'])}") for member in members]
    assert len(members) == 5
    assert positions[0] == min(positions)
    assert members[0]["is_lead"]
    assert re.fullmatch(r"\d{3} \d{3} \d{3} \d{5}", format_siret(members[0]["siret"]))


def test_receipt_html_lists_every_attachment_with_its_full_checksum(issued):
    text = html_text(issued.html)
    attachments = issued.version.data["attachments"]
    assert len(attachments) == 3
    for attachment in attachments:
        assert attachment["name"] in text
        assert attachment["sha256"] in text
        assert len(attachment["sha256"]) == 64
    assert "240 Ko" in text
    assert "1,5 Mo" in text
    assert "Lettre d'engagement d'un membre — SCIC Énergies citoyennes" in text


def test_receipt_html_cuts_long_texts_and_gives_their_length(issued):
    text = html_text(issued.html)
    assert STRATEGY not in text
    assert STRATEGY[:200] in text
    assert f"m² à… ({len(STRATEGY):,} caractères)".replace(",", " ") in text
    assert "Un comité de pilotage mensuel." not in text  # the factory's text was replaced by a long one
    assert "Emplois créés ou consolidés attendus 25" in text


def test_receipt_html_closes_with_what_happens_next(issued):
    text = html_text(issued.html)
    assert "instruit par la cellule régionale Auvergne-Rhône-Alpes et par la direction générale du Trésor" in text
    assert "Il ne préjuge ni de la recevabilité ni de l'éligibilité du dossier" in text
    assert (
        "La date limite de dépôt, fixée au 1er décembre 2026 à 12 h 00, heure de Paris, est un délai de rigueur"
        in text
    )


def test_receipt_html_of_a_resubmission_says_so(issued):
    version = copy.copy(issued.version)
    version.number = 2

    text = html_text(notices.render_receipt_html(version))

    assert "Version 2 — nouveau dépôt après corrections" in text


@freeze_time(SUBMITTED_AT)
def test_receipt_html_snapshot(referential, snapshot):
    # Its own edition: the module's ``issued`` dossier holds a phase of 2026 with a wave from a sequence.
    dossier = make_dossier(
        reference="PTCE-2027-P1-0042",
        owner__first_name="Claire",
        owner__last_name="Dubois",
        owner__email="claire.dubois@example.fr",
        phase__edition__year=2027,
        phase__wave=1,
    )
    for position, member in enumerate(dossier.members.order_by("position", "name")):
        member.siret = siret_from(4200 + position)
        member.save(update_fields=["siret"])
    version = submit_dossier(dossier, by=dossier.owner)

    assert snapshot_lines(notices.render_receipt_html(version)) == snapshot(extension_class=HTMLSnapshot)


def test_receipt_members_put_the_lead_first_and_format_siret():
    data = {
        "members": [
            {"name": "Membre A", "siret": "12345678900012", "is_lead": False},
            {"name": "Porteuse", "siret": "", "is_lead": True},
            {"name": "Membre B", "siret": "98765432100019", "is_lead": False},
        ]
    }

    members = notices.receipt_members(data)

    assert [(member["name"], member["siret"]) for member in members] == [
        ("Porteuse", ""),
        ("Membre A", "123 456 789 00012"),
        ("Membre B", "987 654 321 00019"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Court  texte\n sur deux lignes.", {"text": "Court texte sur deux lignes.", "truncated": False}),
        ("mot " * 100, {"text": ("mot " * 75).strip() + "…", "truncated": True, "length": "399 caractères"}),
        ("x" * 1234, {"text": "x" * 300 + "…", "truncated": True, "length": "1\xa0234 caractères"}),
    ],
)
def test_excerpt(value, expected):
    assert notices.excerpt(value).items() >= expected.items()


@pytest.mark.parametrize(
    ("size", "expected"),
    [(1, "1 octet"), (850, "850 octets"), (245_760, "240 Ko"), (1_572_864, "1,5 Mo"), (3_500_000, "3,3 Mo")],
)
def test_file_size_in_french_units(size, expected):
    assert files.format_size(size) == expected


# The PDF


def test_receipt_pdf_has_reference_and_date_on_every_page(issued):
    pages = pdf_texts(issued.pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert REFERENCE in text, number
        assert "21 novembre 2026 à 14 h 32 min 05 s" in squash(text), number
        assert f"page {number} / {len(pages)}" in text


def test_receipt_pdf_is_tagged_with_a_one_line_title(issued):
    reader = PdfReader(io.BytesIO(issued.pdf))
    assert reader.metadata.title == f"Accusé de réception de dépôt — {REFERENCE}"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"].value is True


def test_receipt_pdf_shows_checksums_and_accents(issued):
    pages = pdf_texts(issued.pdf)
    text = squash(" ".join(pages))
    assert "Accusé de réception de dépôt" in text
    assert SUBMITTED_FR in text
    assert "délai de rigueur" in text
    for attachment in issued.version.data["attachments"]:
        assert attachment["sha256"] in unwrapped(text)
    for member in issued.version.data["members"]:
        assert format_siret(member["siret"]) in text


# The e-mail


def test_receipt_emails_go_to_owner_and_coeditor_each_with_the_pdf(issued):
    dossier = issued.version.dossier
    owner_message, coeditor_message = issued.emails
    assert (owner_message.to, owner_message.cc) == ([dossier.owner.email], [])
    assert (coeditor_message.to, coeditor_message.cc) == ([COEDITOR], [])
    for message in issued.emails:
        assert message.subject == f"AMI PTCE — dossier {REFERENCE} déposé"
        assert message.attachments == [(f"accuse-de-reception-{REFERENCE}.pdf", issued.pdf, "application/pdf")]


def test_receipt_emails_are_recorded_in_the_outbox_once_per_recipient(issued):
    notice = issued.notice
    assert [(email.key, email.recipient, email.status) for email in issued.outbox] == [
        (f"receipt:{notice.pk}:{issued.version.dossier.owner.email}", issued.version.dossier.owner.email, "sent"),
        (f"receipt:{notice.pk}:{COEDITOR}", COEDITOR, "sent"),
    ]
    assert issued.outbox[0].related == issued.version.dossier
    assert issued.outbox[0].attachments == [
        {"path": notice.file.name, "filename": f"accuse-de-reception-{REFERENCE}.pdf", "mimetype": "application/pdf"}
    ]


def test_receipt_email_body_gives_reference_timestamp_and_link(issued):
    message = issued.emails[0]
    url = absolute_url(issued.version.dossier.get_absolute_url())
    [(html_body, mimetype)] = message.alternatives
    body = squash(message.body)
    assert f"(référence {REFERENCE})" in body
    assert SUBMITTED_FR + "." in body
    assert f"Consulter le dossier : {url}" in body
    assert mimetype == "text/html"
    assert SUBMITTED_FR in html_text(html_body)
    assert f'href="{url}"' in html_body
    assert "&#x27;" not in message.body


# Failures and retries (no real rendering)


@pytest.fixture
def submitted(referential):
    """A submitted dossier whose receipt task was not run (its on-commit callback is dropped with the test)."""
    dossier = make_dossier(reference="PTCE-2026-P1-7001")
    return submit_dossier(dossier, by=dossier.owner, now=SUBMITTED_AT)


def receipt_of(version):
    return Notice.objects.get(version=version, kind=NoticeKind.RECEIPT)


def render_fails(times):
    """A stand-in for html_to_pdf that fails ``times`` times, then returns FAKE_PDF."""
    calls = []

    def render(html):
        calls.append(html)
        if len(calls) <= times:
            raise RuntimeError("police Marianne introuvable")
        return FAKE_PDF

    return render


def test_submission_creates_the_pending_receipt_in_its_transaction(submitted):
    notice = receipt_of(submitted)

    assert (notice.status, notice.number, notice.attempts, notice.file.name) == (NoticeStatus.PENDING, 1, 0, "")
    assert notice.dossier_id == submitted.dossier_id


def test_issue_receipt_render_error_leaves_notice_failed_and_sends_nothing(submitted, mailoutbox, monkeypatch):
    monkeypatch.setattr(notices, "html_to_pdf", render_fails(times=1))

    with pytest.raises(notices.NoticeRenderError, match="police Marianne introuvable"):
        notices.issue_receipt(submitted)

    notice = receipt_of(submitted)
    assert (notice.status, notice.error, notice.attempts) == (
        NoticeStatus.FAILED,
        "RuntimeError: police Marianne introuvable",
        1,
    )
    assert (notice.file.name, notice.sha256, notice.rendered_at) == ("", "", None)
    assert OutboundEmail.objects.about(submitted.dossier).count() == 0
    assert mailoutbox == []


def test_issue_receipt_after_a_failure_reuses_the_notice_and_sends_once(
    submitted, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(notices, "html_to_pdf", render_fails(times=1))
    with pytest.raises(notices.NoticeRenderError):
        notices.issue_receipt(submitted)

    with django_capture_on_commit_callbacks(execute=True):
        first = notices.issue_receipt(submitted)
        again = notices.issue_receipt(submitted)

    assert first.pk == again.pk
    notice = receipt_of(submitted)
    assert (notice.status, notice.error, notice.attempts, notice.number) == (NoticeStatus.READY, "", 2, 1)
    assert notice.sha256 == hashlib.sha256(FAKE_PDF).hexdigest()
    assert [(message.to, message.attachments[0][1]) for message in mailoutbox] == [
        ([submitted.dossier.owner.email], FAKE_PDF),
        ([COEDITOR], FAKE_PDF),
    ]


def test_issue_receipt_of_a_new_version_takes_the_next_number(submitted, monkeypatch):
    monkeypatch.setattr(notices, "html_to_pdf", render_fails(times=0))
    notices.issue_receipt(submitted)
    second = DossierVersion.objects.create(
        dossier=submitted.dossier,
        number=2,
        submitted_at=SUBMITTED_AT,
        submitted_by=submitted.submitted_by,
        data=submitted.data,
    )

    notice = notices.issue_receipt(second)

    assert (notice.number, notice.version_id, notice.status) == (2, second.pk, NoticeStatus.READY)
    assert OutboundEmail.objects.filter(key__startswith=f"receipt:{notice.pk}:").count() == 2


# Retries of the task (eager: each retry runs at once)


def test_the_task_retries_a_render_error_until_it_succeeds(submitted, monkeypatch):
    monkeypatch.setattr(notices, "html_to_pdf", render_fails(times=2))

    result = tasks.issue_receipt.apply(kwargs={"version_id": submitted.pk})

    notice = receipt_of(submitted)
    assert result.successful() and result.result == notice.pk
    assert (notice.status, notice.attempts, notice.error) == (NoticeStatus.READY, 3, "")
    assert notice.sha256 == hashlib.sha256(FAKE_PDF).hexdigest()


def test_the_task_gives_up_after_three_retries_and_leaves_the_notice_failed(submitted, monkeypatch):
    monkeypatch.setattr(notices, "html_to_pdf", render_fails(times=99))

    result = tasks.issue_receipt.apply(kwargs={"version_id": submitted.pk})

    notice = receipt_of(submitted)
    assert result.failed() and isinstance(result.result, notices.NoticeRenderError)
    assert (notice.status, notice.attempts, notice.error) == (
        NoticeStatus.FAILED,
        4,
        "RuntimeError: police Marianne introuvable",
    )
    assert OutboundEmail.objects.about(submitted.dossier).count() == 0


def test_a_render_failure_never_breaks_the_porteurs_submission(
    referential, client, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    dossier = make_dossier(
        reference="PTCE-2026-P1-7003",
        phase__opens_at=timezone.now() - dt.timedelta(days=1),
        phase__closes_at=timezone.now() + dt.timedelta(days=1),
    )
    monkeypatch.setattr(notices, "html_to_pdf", render_fails(times=99))
    client.force_login(dossier.owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", kwargs={"reference": dossier.reference}))

    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    notice = Notice.objects.get(dossier=dossier)
    assert (notice.status, notice.attempts) == (NoticeStatus.FAILED, 4)
    assert notice.error == "RuntimeError: police Marianne introuvable"
    assert OutboundEmail.objects.about(dossier).filter(key__startswith="receipt:").count() == 0


# Receipts never queued (the broker was down): the sweep of queued tasks sends them again


def test_the_task_sweep_produces_the_receipts_left_pending(
    referential, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(notices, "html_to_pdf", render_fails(times=0))
    dossiers = [make_dossier(reference=f"PTCE-2026-P1-80{number:02d}") for number in range(2)]
    # The callbacks of the transactions are dropped: nothing reached the broker.
    versions = [submit_dossier(dossier, by=dossier.owner, now=SUBMITTED_AT) for dossier in dossiers]
    assert [receipt_of(version).status for version in versions] == [NoticeStatus.PENDING] * 2

    with (
        freeze_time(timezone.now() + dt.timedelta(minutes=3)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = core_tasks.requeue_tasks.apply()

    assert [receipt_of(version).status for version in versions] == [NoticeStatus.READY] * 2
    assert len(mailoutbox) == 2 * 2  # owner and co-editor of each
    assert result.result == 2 * 2  # the receipt and the eligibility run of each
    run = SweepRun.objects.get(name="core.requeue_tasks")
    assert (run.processed, run.error) == (4, "")


# The co-editor invitation


def test_coeditor_invitation_email(mailoutbox, django_capture_on_commit_callbacks):
    dossier = DossierFactory(reference="PTCE-2026-P1-7002", name="Pôle L'Atelier & Cie")
    invitation = DossierInvitation.objects.create(dossier=dossier, email=COEDITOR, invited_by=dossier.owner)

    with django_capture_on_commit_callbacks(execute=True):
        send_coeditor_invitation(invitation)

    [message] = mailoutbox
    body = squash(message.body)
    inviter = dossier.owner.get_full_name()
    assert message.to == [COEDITOR]
    assert message.subject == "AMI PTCE — invitation à compléter le dossier PTCE-2026-P1-7002"
    assert (
        f"{inviter} vous invite à compléter le dossier de candidature « Pôle L'Atelier & Cie » "
        "(référence PTCE-2026-P1-7002)"
    ) in body
    assert "créez un compte avec cette adresse électronique" in body
    assert "/compte/inscription/" in body
    assert dossier.get_absolute_url() in body
    assert "Vous pourrez modifier le dossier ; seul le titulaire du dossier peut le déposer." in body
