"""The world of the security suites: one of everything a URL of the project can name, built once per module.

"The dossier" of the matrix belongs to ``owner`` (co-edited by ``coeditor``), lies in region 84 (Auvergne-Rhône-
Alpes, partner ``partner``), is assigned to ``reviewer`` (confirmed, no conflict) and to ``conflicted`` (who declared
a conflict). ``other_*`` objects belong to someone else: another porteur's dossier in region 28 (Normandie, partner
``partner_other``), assigned to ``reviewer_other`` (the "évaluateur not assigned" of the matrix: not assigned to
the dossier, but to another one, so that the IDOR sweep can ask for their own assignment), another instructeur's
export and saved filter, another partner's API token…
"""

import datetime
import re
import types
from decimal import Decimal
from pathlib import Path

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, SolarSchedule
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from dsfr.models import DsfrConfig

from applications.enums import DossierState, LaureateCall, NoticeKind, NoticeStatus
from applications.models import DossierInvitation, Label, LaureateRecord, Notice, ReferenceSequence
from applications.services import eligibility
from applications.services.messages import post_message
from applications.services.workflow import transition
from ptce_ami.accounts.services import create_api_token, record_api_call
from ptce_ami.core import audit
from ptce_ami.core.models import OutboundEmail, SentReminder, SweepRun
from reviews.enums import DecisionOutcome
from reviews.models import (
    AssignmentStatus,
    Export,
    ExportStatus,
    SavedFilter,
)
from reviews.services import committee
from territories.loader import load_referential
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import PDF_BYTES, AttachmentFactory, DossierFactory, MemberFactory, PhaseFactory
from tests.conftest import seed_migration_data
from tests.reviews.factories import (
    AssignmentFactory,
    BouquetRequestFactory,
    DeclarationFactory,
    RegionalOpinionFactory,
    decide,
    make_review,
)
from tests.reviews.grants_helpers import laureate, open_grant, phase2
from tests.territories import cog_mini

# The roles of the matrix, in the order the failures list them.
# The roles whose sessions pass the second factor (required for them in production, and in these suites).
SECOND_FACTOR_ROLES = {"instructeur", "administrateur"}

ROLES = [
    "anonymous",
    "owner",
    "other_porteur",
    "coeditor",
    "reviewer",
    "reviewer_other",
    "conflicted",
    "partner",
    "partner_other",
    "instructeur",
    "administrateur",
]


def pdf(name="piece.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def notice_of(dossier, kind=NoticeKind.RECEIPT, published=True):
    return Notice.objects.create(
        dossier=dossier,
        kind=kind,
        status=NoticeStatus.READY,
        file=ContentFile(b"%PDF-1.7\n% notice\n%%EOF\n", name="notice.pdf"),
        rendered_at=timezone.now(),
        published_at=timezone.now() if published else None,
    )


def filed_dossier(phase, owner, region, **kwargs):
    """A complete dossier, submitted then taken into instruction (in_review)."""
    dossier = DossierFactory(phase=phase, owner=owner, complete=True, submitted=True, **kwargs)
    dossier.region = region
    dossier.save(update_fields=["region"])
    return dossier


def invite(dossier, user):
    DossierInvitation.objects.create(dossier=dossier, email=user.email, invited_by=dossier.owner)


def with_exchanges(dossier, staff):
    """A message of the staff with an attachment, an eligibility run, a receipt; returns (attachment, result)."""
    message = post_message(dossier, author=staff, body="Merci de préciser.", uploads=[pdf()], notify=False)
    run = eligibility.run(dossier, key=f"matrix-{dossier.pk}", by=staff)
    return message.attachments.get(), run.results.order_by("pk").first()


def build_world():
    seed_migration_data()
    load_referential(cog_mini.FIXTURE)
    w = types.SimpleNamespace()
    w.region = RegionFactory(code="84")
    w.region_other = RegionFactory(code="28", name="Normandie", cress_name="CRESS Normandie")

    w.users = {
        "owner": UserFactory(),
        "other_porteur": UserFactory(),
        "coeditor": UserFactory(),
        "reviewer": UserFactory(evaluateur=True),
        "reviewer_other": UserFactory(evaluateur=True),
        "conflicted": UserFactory(evaluateur=True),
        "partner": UserFactory(partenaire=True, regions=[w.region]),
        "partner_other": UserFactory(partenaire=True, regions=[w.region_other]),
        "instructeur": UserFactory(instructeur=True),
        "administrateur": UserFactory(administrateur=True),
    }
    u = types.SimpleNamespace(**w.users)
    w.instructeur_other = UserFactory(instructeur=True)

    # Phases: an open phase 1 and an open phase 2 (with its payment schedule and reports) of the same edition.
    w.phase1 = PhaseFactory()
    w.phase2 = phase2(edition=w.phase1.edition)

    # The owner's draft, co-edited.
    w.draft = DossierFactory(phase=w.phase1, owner=u.owner, complete=True)
    invite(w.draft, u.coeditor)
    w.member = w.draft.members.exclude(role="lead").first()
    w.attachment = w.draft.attachments.first()
    w.invitation = w.draft.invitations.get()
    # The owner's phase-2 draft (budget and grant steps), co-edited.
    w.draft2 = DossierFactory(phase=w.phase2, owner=u.owner, complete=True)
    invite(w.draft2, u.coeditor)

    # The owner's filed dossier: in instruction, assigned, with a conflict, exchanges, a receipt, corrections.
    w.filed = filed_dossier(w.phase1, u.owner, w.region)
    invite(w.filed, u.coeditor)
    transition(w.filed, "start_review", by=u.instructeur)
    w.assignment = AssignmentFactory(dossier=w.filed, reviewer=u.reviewer, assigned_by=u.instructeur, confirmed=True)
    w.conflict_assignment = AssignmentFactory(
        dossier=w.filed, reviewer=u.conflicted, assigned_by=u.instructeur, status=AssignmentStatus.CONFLICT
    )
    w.message_attachment, w.result = with_exchanges(w.filed, u.instructeur)
    w.notice = notice_of(w.filed)
    w.filed_attachment = w.filed.attachments.first()
    w.filed_member = w.filed.members.exclude(role="lead").first()

    # An eligible dossier of the owner with a regional opinion and a committee proposal (not yet in a session).
    w.eligible = filed_dossier(w.phase1, u.owner, w.region)
    invite(w.eligible, u.coeditor)
    for action in ("start_review", "declare_eligible"):
        transition(w.eligible, action, by=u.instructeur)
    AssignmentFactory(dossier=w.eligible, reviewer=u.reviewer, assigned_by=u.instructeur, confirmed=True)
    AssignmentFactory(
        dossier=w.eligible, reviewer=u.conflicted, assigned_by=u.instructeur, status=AssignmentStatus.CONFLICT
    )
    w.opinion = RegionalOpinionFactory(dossier=w.eligible, region=w.region, author=u.partner)
    w.proposal = committee.propose(
        w.eligible, outcome=DecisionOutcome.LAUREATE, motivation="Un pôle solide.", by=u.instructeur
    )

    # A committee session of phase 2 that adopted a laureate, published: the owner's grant.
    w.laureate_decision = laureate(
        w.phase2, region=w.region, owner=u.owner, by=u.instructeur, consent_publication=True
    )
    w.laureate = w.laureate_decision.dossier
    invite(w.laureate, u.coeditor)
    AssignmentFactory(dossier=w.laureate, reviewer=u.reviewer, assigned_by=u.instructeur, confirmed=True)
    AssignmentFactory(
        dossier=w.laureate, reviewer=u.conflicted, assigned_by=u.instructeur, status=AssignmentStatus.CONFLICT
    )
    w.grant = open_grant(w.laureate_decision)
    w.payment = w.grant.payments.order_by("pk").first()
    w.report = w.grant.reports.order_by("pk").first()
    w.session = committee.create_session(
        w.phase2, held_on=datetime.date(2026, 10, 10), members_present="Mme Durand", notes="", by=u.instructeur
    )
    w.laureate_decision.session = w.session
    w.laureate_decision.save(update_fields=["session"])
    w.session.minutes.save("pv.pdf", ContentFile(b"%PDF-1.7\n% minutes\n%%EOF\n"), save=True)
    w.letter = notice_of(w.laureate, NoticeKind.LAUREATE_LETTER)

    # A session of phase 1 holding a provisional decision (its letter can be previewed).
    w.session1 = committee.create_session(
        w.phase1, held_on=datetime.date(2026, 9, 9), members_present="Mme Durand", notes="", by=u.instructeur
    )
    pending = filed_dossier(w.phase1, u.owner, w.region)
    for action in ("start_review", "declare_eligible"):
        transition(pending, action, by=u.instructeur)
    w.pending_decision = committee.propose(
        pending, outcome=DecisionOutcome.LAUREATE, motivation="Un pôle solide.", by=u.instructeur
    )
    w.pending_decision.session = w.session1
    w.pending_decision.save(update_fields=["session"])

    # A phase-1 laureate of the owner (PTCE émergent) with a bouquet request.
    w.emergent = filed_dossier(w.phase1, u.owner, w.region)
    invite(w.emergent, u.coeditor)
    decide(w.emergent, by=u.instructeur)
    w.bouquet_request = BouquetRequestFactory(dossier=w.emergent)

    # Someone else's: another porteur's dossier in region 28, assigned to reviewer_other, with everything.
    w.other = filed_dossier(w.phase1, u.other_porteur, w.region_other)
    transition(w.other, "start_review", by=u.instructeur)
    w.other_member = MemberFactory(dossier=w.other)
    w.other_attachment = AttachmentFactory(dossier=w.other)
    w.other_assignment = AssignmentFactory(
        dossier=w.other, reviewer=u.reviewer_other, assigned_by=u.instructeur, confirmed=True
    )
    w.other_message_attachment, w.other_result = with_exchanges(w.other, u.instructeur)
    w.other_notice = notice_of(w.other)
    w.other_opinion = RegionalOpinionFactory(
        dossier=DossierFactory(
            phase=w.phase1, owner=u.other_porteur, state=DossierState.ELIGIBLE, submitted_at=timezone.now()
        ),
        region=w.region_other,
        author=u.partner_other,
    )
    w.other_draft = DossierFactory(phase=w.phase1, owner=u.other_porteur, complete=True)
    DossierInvitation.objects.create(dossier=w.other_draft, email="ami@example.fr", invited_by=u.other_porteur)
    w.other_invitation = w.other_draft.invitations.get()
    other_decision = laureate(w.phase2, region=w.region_other, owner=u.other_porteur, by=u.instructeur)
    w.other_laureate = other_decision.dossier
    w.other_grant = open_grant(other_decision)
    w.other_payment = w.other_grant.payments.order_by("pk").first()
    w.other_report = w.other_grant.reports.order_by("pk").first()
    w.other_emergent = filed_dossier(w.phase1, u.other_porteur, w.region_other)
    decide(w.other_emergent, by=u.instructeur)
    w.other_bouquet_request = BouquetRequestFactory(dossier=w.other_emergent)
    w.other_letter = notice_of(w.other_laureate, NoticeKind.LAUREATE_LETTER)

    # Staff's things: exports and saved filters of the instructeur and of another instructeur.
    def ready_export(user):
        export = Export.objects.create(requested_by=user, format="csv", status=ExportStatus.READY, total=1, done=1)
        export.file.save("export.csv", ContentFile(b"reference\n"), save=True)
        return export

    w.export = ready_export(u.instructeur)
    w.admin_export = ready_export(u.administrateur)
    w.other_export = ready_export(w.instructeur_other)
    w.saved_filter = SavedFilter.objects.create(user=u.instructeur, name="Suivi Auvergne", query="region=84")
    w.admin_saved_filter = SavedFilter.objects.create(user=u.administrateur, name="Tout suivre", query="")
    w.other_saved_filter = SavedFilter.objects.create(user=w.instructeur_other, name="Corse", query="region=94")

    # API tokens of every role that may hold one, and their secrets.
    w.tokens, w.secrets = {}, {}
    for name in ("partner", "partner_other", "instructeur", "administrateur"):
        w.tokens[name], w.secrets[name] = create_api_token(w.users[name], name="Outil", days=90)

    # A laureate of the history that the owner may claim (phase 2), and its signed link.
    w.claim_record = LaureateRecord.objects.create(
        year=2023,
        call="AMI 2023 phase 1",
        kind=LaureateCall.PHASE1,
        name="Pôle historique",
        lead_siren="000000018",
        contact_email=u.owner.email,
    )

    # The reviews of the filed dossier: the assigned reviewer's, submitted.
    make_review(w.assignment)

    admin_rows(w)

    # The factories number dossiers from 0001: the references the application gives start beyond them.
    for phase in (w.phase1, w.phase2):
        ReferenceSequence.objects.update_or_create(
            edition=phase.edition, kind=phase.kind, defaults={"last_number": 9000}
        )
    w.figure = first_figure(u.instructeur, reverse("site:national_dashboard"))
    w.region_figure = first_figure(u.instructeur, reverse("site:region_dashboard", kwargs={"code": w.region.code}))
    w.amount = Decimal(50_000)
    return w


def admin_rows(w):
    """One row of each model the admin lists that the world has none of, for its change, delete and history pages."""
    trace = {"user_agent": "navigateur", "http_accept": "text/html", "path_info": "/compte/connexion/"}
    AccessAttempt.objects.create(**trace, get_data="", post_data="", failures_since_start=1, ip_address="127.0.0.1")
    AccessLog.objects.create(**trace, ip_address="127.0.0.1")
    AccessFailureLog.objects.create(**trace, ip_address="127.0.0.1")
    Group.objects.create(name="Groupe")
    DsfrConfig.objects.create()
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    SolarSchedule.objects.create(event="sunrise", latitude=Decimal("48.85"), longitude=Decimal("2.35"))
    Label.objects.create(name="Rural")
    OutboundEmail.objects.create(
        key="matrix", template="test", recipient="a@example.fr", subject="Sujet", body_text="Texte"
    )
    SentReminder.objects.create(recipient="a@example.fr", kind="test")
    SweepRun.objects.create(name="test")
    StaticDevice.objects.create(user=w.users["owner"], name="recovery")
    DeclarationFactory(reviewer=w.users["reviewer"], edition=w.phase1.edition)
    record_api_call(
        w.tokens["instructeur"], method="GET", route="dossiers", path="/api/v1/dossiers", status=200, duration_ms=3
    )
    # The audit log's rows so far archived (a checkpoint), the log going on with the archiving's own row.
    audit.archive_prefix(
        before=timezone.now() + datetime.timedelta(seconds=1), directory=Path(settings.MEDIA_ROOT) / "audit-archives"
    )


def signed_in(user):
    """A client logged in as ``user``; a staff member's session has passed the second factor, as
    django_otp.login() records it (required for them in production, and in these suites)."""
    client = Client()
    client.force_login(user)
    if user.role in SECOND_FACTOR_ROLES:
        device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(user=user, name="totp")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def first_figure(user, page):
    """The slug of the first figure ``page`` (a dashboard) offers as CSV."""
    client = signed_in(user)
    html = client.get(page).content.decode()
    match = re.search(r"donnees/([\w-]+)\.csv", html)
    assert match, f"{page} links no figure as CSV"
    return match.group(1)


__all__ = ["ROLES", "build_world", "signed_in"]
