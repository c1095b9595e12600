import datetime
import io
import re
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.enums import DossierState, MemberRole, NoticeKind, PhaseKind
from applications.models import (
    Dossier,
    DossierTransition,
    DossierVersion,
    Edition,
    MemberStructure,
    Notice,
    Phase,
    ReferenceSequence,
)
from applications.services import notices, statistics
from applications.services.completeness import missing_items
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from ptce_ami.core.models import EmailStatus, OutboundEmail
from ptce_ami.site import demo, demo_bulk
from ptce_ami.site.demo_selection import seed_calls
from ptce_ami.site.management.commands.seed_demo import DEMO_TOTP_SECRET
from reviews.enums import (
    DecisionOutcome,
    GrantStatus,
    PaymentStatus,
    ReportStatus,
    RequestStatus,
    SessionStatus,
)
from reviews.models import (
    Assignment,
    AssignmentStatus,
    BouquetRequest,
    Decision,
    DeclaredOrganisation,
    DossierScore,
    Grant,
    RegionalOpinion,
    Review,
    ReviewerDeclaration,
    ReviewStatus,
)
from reviews.services import committee, publication
from reviews.services import statistics as review_statistics
from territories.enums import Zone
from territories.loader import default_file, load_referential
from territories.models import Departement, Region
from tests.conftest import seed_migration_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def quick_pdfs(monkeypatch):
    """The demo makes some eighty PDFs (receipts, letters, notifications, minutes): laid out by WeasyPrint they
    would take a minute per test. Their layout is tested with the letters; here a one-page PDF stands for each
    (`make run` and its test below make the real ones)."""
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: demo.tiny_pdf("PDF"))
    monkeypatch.setattr(committee, "html_to_pdf", lambda html: demo.tiny_pdf("PDF"))


@pytest.fixture
def territories(db):
    """The real 2026 referential: the demo dossiers are located in real communes."""
    load_referential(default_file())


DEMO_EMAILS = {
    "porteur@demo.ptce.fr": Role.PORTEUR,
    "porteur2@demo.ptce.fr": Role.PORTEUR,
    "porteur3@demo.ptce.fr": Role.PORTEUR,
    "evaluateur@demo.ptce.fr": Role.EVALUATEUR,
    "evaluateur2@demo.ptce.fr": Role.EVALUATEUR,
    "evaluateur3@demo.ptce.fr": Role.EVALUATEUR,
    "cress-ara@demo.ptce.fr": Role.PARTENAIRE,
    "instructeur@demo.ptce.fr": Role.INSTRUCTEUR,
    "admin@demo.ptce.fr": Role.ADMINISTRATEUR,
}


def snapshot():
    return (
        sorted(User.objects.values_list("email", "role", "password")),
        sorted(Phase.objects.values_list("kind", "opens_at", "closes_at")),
        Edition.objects.count(),
        sorted(Dossier.objects.values_list("reference", "state", "name")),
        Notice.objects.count(),
        sorted(Assignment.objects.values_list("dossier__reference", "reviewer__email", "status")),
        sorted(Review.objects.values_list("dossier__reference", "status", "total", "recommendation")),
        sorted(DossierScore.objects.values_list("dossier__reference", "value", "spread", "discordant")),
        sorted(RegionalOpinion.objects.values_list("dossier__reference", "opinion", "rank")),
        DeclaredOrganisation.objects.count(),
    )


def test_seed_demo_creates_every_role_and_calls_that_make_sense_in_time(territories):
    call_command("seed_demo", force=True)

    logins = User.objects.exclude(password__startswith="!")  # porteurs of the past have unusable passwords
    assert dict(logins.values_list("email", "role")) == DEMO_EMAILS
    assert all(user.check_password("demo-ptce-2026") and user.email_confirmed for user in logins)
    assert list(User.objects.get(email="cress-ara@demo.ptce.fr").regions.values_list("code", flat=True)) == ["84"]
    phases = {(p.edition.year, p.kind, p.wave): p for p in Phase.objects.select_related("edition")}
    assert sorted(key for key, phase in phases.items() if phase.is_open()) == [
        (2026, PhaseKind.PHASE1, 2),
        (2026, PhaseKind.PHASE2, 2),
    ]
    # A phase 2 opens after the publication of the phase 1 whose laureates it funds.
    p1w1, p2w1 = phases[2026, PhaseKind.PHASE1, 1], phases[2026, PhaseKind.PHASE2, 1]
    published = Decision.objects.published().filter(dossier__phase=p1w1).values_list("published_at", flat=True)
    assert p1w1.closes_at < max(published) < p2w1.opens_at < p2w1.closes_at < timezone.now()
    # The seeds' calls: 2023, €1.5M for 15 × €100k over 2 years; 2026, €500k at €30k–80k.
    call_2023 = phases[2023, PhaseKind.PHASE2, 1]
    assert (call_2023.edition.envelope, call_2023.max_laureates, call_2023.min_grant, call_2023.max_grant) == (
        Decimal(1_500_000),
        15,
        Decimal(100_000),
        Decimal(100_000),
    )
    assert Edition.objects.get(year=2026).envelope == Decimal(500_000)
    assert {(p.min_grant, p.max_grant) for p in phases.values() if p.edition.year == 2026 and p.kind == "phase2"} == {
        (Decimal(30_000), Decimal(80_000))
    }


def test_seed_demo_decides_2023_and_leaves_grants_a_committee_and_phase_2_in_every_state(
    territories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", force=True)

    laureates_2023 = Decision.objects.published().filter(
        dossier__phase__edition__year=2023, outcome=DecisionOutcome.LAUREATE
    )
    assert laureates_2023.count() == 15
    assert set(laureates_2023.values_list("amount", flat=True)) == {Decimal(100_000)}
    assert len(set(laureates_2023.values_list("dossier__region", flat=True))) >= 10
    assert all(state == DossierState.LAUREATE for state in laureates_2023.values_list("dossier__state", flat=True))
    # The current committee: provisional decisions, invisible (the dossiers are still eligible), not adopted.
    provisional = Decision.objects.provisional()
    assert provisional.count() == 3
    assert set(provisional.values_list("dossier__state", flat=True)) == {DossierState.ELIGIBLE}
    current = Phase.objects.get(edition__year=2026, kind=PhaseKind.PHASE1, wave=2)
    assert set(provisional.values_list("dossier__phase", flat=True)) == {current.pk}
    assert list(current.committee_sessions.values_list("status", flat=True)) == [SessionStatus.OPEN]
    # Phase 2: the porteur's draft pre-filled from its phase-1 laureate, on an open phase.
    prefilled = Dossier.objects.get(owner__email="porteur@demo.ptce.fr", phase__kind=PhaseKind.PHASE2)
    assert prefilled.state == DossierState.DRAFT and prefilled.phase.is_open()
    assert prefilled.continues.is_ptce_emergent and prefilled.name == prefilled.continues.name
    assert prefilled.members.count() == prefilled.continues.members.count()
    # Grants: one with one tranche paid and its report awaiting review, one suspended.
    grants_2026 = Grant.objects.filter(dossier__phase__edition__year=2026)
    waiting = grants_2026.get(reports__status=ReportStatus.SUBMITTED)
    assert [p.status for p in waiting.payments.order_by("position")] == [PaymentStatus.PAID, PaymentStatus.SCHEDULED]
    assert grants_2026.filter(status=GrantStatus.SUSPENDED).count() == 1
    assert set(BouquetRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    # Every grant opened on publication has its notification.
    assert Notice.objects.filter(kind=NoticeKind.GRANT_NOTIFICATION).count() == Grant.objects.count()


def test_seed_demo_adds_drafts_and_submitted_dossiers_in_several_regions(
    territories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", force=True)

    dossiers = (
        Dossier.objects.filter(phase__kind=PhaseKind.PHASE1, phase__wave=2)
        .exclude(pk__in=demo_bulk.bulk_dossiers())
        .order_by("reference")
    )
    assert sorted(dossiers.values_list("state", flat=True)) == sorted(
        [
            DossierState.DRAFT,
            DossierState.DRAFT,
            DossierState.SUBMITTED,
            DossierState.IN_REVIEW,
            DossierState.ELIGIBLE,
            DossierState.ELIGIBLE,
            DossierState.ELIGIBLE,
        ]
    )
    assert set(dossiers.values_list("region__name", flat=True)) == {
        "Auvergne-Rhône-Alpes",
        "Bretagne",
        "Occitanie",
    }
    assert all(dossier.members.count() >= 1 for dossier in dossiers)
    # The receipts of the submitted ones
    assert Notice.objects.filter(dossier__in=dossiers, status="ready").count() == 5
    # Every state change went through the workflow service, which writes the history.
    eligible = dossiers.get(state=DossierState.ELIGIBLE, name="Pôle réemploi du Val d'Allier")
    assert list(eligible.transitions.values_list("action", flat=True)) == [
        "submit",
        "start_review",
        "declare_eligible",
    ]


def test_seed_demo_adds_declarations_assignments_reviews_and_opinions(territories):
    call_command("seed_demo", force=True)

    # The hand-made instruction (demo.py); the bulk dossiers have their own (test_seed_demo_bulk_* below).
    bulk = demo_bulk.bulk_dossiers()
    assert ReviewerDeclaration.objects.filter(reviewer__email__in=DEMO_EMAILS).count() == 3
    assignments = Assignment.objects.exclude(dossier__in=bulk)
    statuses = set(assignments.values_list("status", flat=True))
    assert statuses == {AssignmentStatus.TO_CONFIRM, AssignmentStatus.IN_PROGRESS, AssignmentStatus.SUBMITTED}
    evaluateur = User.objects.get(email="evaluateur@demo.ptce.fr")
    assert set(assignments.filter(reviewer=evaluateur).values_list("status", flat=True)) == statuses
    reviews = Review.objects.exclude(dossier__in=bulk)
    assert reviews.filter(status=ReviewStatus.DRAFT).count() == 2
    submitted = reviews.filter(status=ReviewStatus.SUBMITTED)
    assert submitted.count() == 5 and all(review.total is not None for review in submitted)
    lyon = DossierScore.objects.get(dossier__name="Alimentation durable Lyon–Villeurbanne")
    assert (lyon.review_count, lyon.discordant) == (2, True)
    opinions = RegionalOpinion.objects.exclude(dossier__in=bulk).order_by("rank")
    assert [(o.region_id, o.rank, o.author.email) for o in opinions] == [
        ("84", 1, "cress-ara@demo.ptce.fr"),
        ("84", 2, "cress-ara@demo.ptce.fr"),
    ]
    assert all(o.dossier.state == DossierState.ELIGIBLE for o in opinions)


def test_seed_demo_never_assigns_a_reviewer_a_dossier_of_a_declared_organisation(territories):
    call_command("seed_demo", force=True)

    for assignment in Assignment.objects.select_related("dossier", "reviewer"):
        sirens = {siret[:9] for siret in assignment.dossier.members.values_list("siret", flat=True)}
        declared = DeclaredOrganisation.objects.filter(declaration__reviewer=assignment.reviewer)
        assert not declared.filter(siren__in=sirens).exists()
    # The demo's one declared conflict: evaluateur@ sits on the board of the Val d'Allier régie.
    val_d_allier = Dossier.objects.get(name="Pôle réemploi du Val d'Allier")
    assert not val_d_allier.assignments.filter(reviewer__email="evaluateur@demo.ptce.fr").exists()
    assert DossierScore.objects.get(dossier=val_d_allier).value == Decimal("69.38")  # mean of 68.75 and 70


def test_seed_demo_is_idempotent(territories):
    call_command("seed_demo", force=True)
    first = snapshot()

    call_command("seed_demo", force=True)

    assert snapshot() == first


def test_seed_demo_refuses_production_without_force(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="réservé au mode DEBUG"):
        call_command("seed_demo")


def test_seed_demo_asks_for_the_territories_first():
    with pytest.raises(CommandError, match="load_territories"):
        call_command("seed_demo", force=True)


# Real commits (transaction=True): the e-mails leave after the seeding's commit, as they do under `make run`.
# serialized_rollback, as every transactional test here: the flush after it must not recreate the content types.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seed_demo_writes_its_emails_to_files_and_prints_the_accounts_last(territories, settings, tmp_path, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "emails")
    seed_migration_data()  # an earlier transactional test (a browser test) may have flushed the sectors
    output = io.StringIO()

    call_command("seed_demo", force=True, stdout=output)

    written = "".join(path.read_text() for path in (tmp_path / "emails").iterdir())
    messages = len(re.findall(r"^Subject: ", written, flags=re.MULTILINE))
    assert messages == OutboundEmail.objects.filter(status=EmailStatus.SENT).count() > 0
    lines = output.getvalue().splitlines()
    assert lines[-11:] == [
        f"{messages} courriels de démonstration écrits dans {tmp_path / 'emails'}/",
        "9 comptes de démonstration, mot de passe : demo-ptce-2026",
        *(f"  {Role(role).label:<22} {email}" for email, role in DEMO_EMAILS.items()),
    ]
    assert len(lines) == 13
    assert capsys.readouterr().out == ""  # no e-mail on the console


def test_seed_demo_second_run_sends_no_email_again(territories, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", force=True)
    output = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", force=True, stdout=output)

    lines = output.getvalue().splitlines()
    assert re.fullmatch(r"0 courriels? de démonstration envoyés?", lines[-11])  # the plural rule is gettext's


def test_make_run_seeds_the_demo_with_its_emails_in_var_and_warnings_only():
    commands = subprocess.run(
        ["make", "--dry-run", "--always-make", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()

    seed = next(command for command in commands if "manage.py seed_demo" in command)
    assert f"EMAIL_URL=filemail:///{ROOT / 'var' / 'demo-emails'} " in seed
    assert "LOG_LEVEL=WARNING " in seed


# The bulk dossiers (demo_bulk.py): every figure of the dashboards shows something ----------------------------------


@pytest.fixture
def seeded(territories):
    call_command("seed_demo", force=True)
    return {user.email: user for user in User.objects.filter(email__in=DEMO_EMAILS)}


def test_seed_demo_bulk_fills_every_figure_of_the_dashboards(seeded):
    edition = Edition.objects.get(year=2026)
    current = Phase.objects.get(edition=edition, kind=PhaseKind.PHASE1, wave=2)
    whole, phase = statistics.Scope.of(edition=edition), statistics.Scope.of(phase=current)
    ara, ara_phase = statistics.Scope.of(edition=edition, region="84"), statistics.Scope.of(phase=current, region="84")

    funnel = statistics.funnel(whole)
    assert all(funnel[stage] > 0 for stage in ("drafts", "submitted", "in_review", "eligible", "decided"))
    assert funnel["drafts"] == Dossier.objects.filter(phase__edition=edition, state=DossierState.DRAFT).count()
    assert all(count > 0 for count in statistics.funnel(statistics.Scope())["by_state"].values())
    # The map of the CRESS Auvergne-Rhône-Alpes: most of its twelve départements, and only its own.
    for scope in (ara, ara_phase):
        codes = [row["code"] for row in statistics.dossiers_per_departement(scope) if row["count"]]
        assert len(codes) >= 8 and None not in codes
        assert Departement.objects.filter(pk__in=codes, region="84").count() == len(codes)
    # Every region (métropole and outre-mer) has dossiers.
    regions = set(Region.objects.filter(zone__in=[Zone.METRO, Zone.DROM]).values_list("pk", flat=True))
    assert len(regions) == 18
    assert regions <= set(Dossier.objects.values_list("region", flat=True))
    members = statistics.member_composition(phase)
    assert all(row["count"] > 0 for row in members["categories"] + members["legal_forms"])
    assert len(statistics.sectors(phase)) >= 10
    days = statistics.submissions_per_day(phase)
    assert len(days) >= 10
    assert days[-1]["total"] == Dossier.objects.filter(phase=current, submitted_at__isnull=False).count()
    times = statistics.processing_times(whole)
    for stage in ("eligibility", "decision"):
        assert times[stage]["count"] > 10 and times[stage]["median"] is not None
        assert datetime.timedelta(0) < times[stage]["median"] <= times[stage]["p90"]
    progress = review_statistics.review_progress(phase)
    assert progress["overdue"] > 0 and progress["submitted"] > 0 and progress["pending"] > progress["overdue"]
    for scope in (phase, ara_phase, ara):
        opinions = review_statistics.regional_opinions(scope)
        assert opinions["given"] > 0 and opinions["pending"] > 0
    laureates = review_statistics.laureates_and_amounts(whole)
    assert laureates["laureates"] > 0 and laureates["committed"] > 0
    assert review_statistics.grants_per_region(whole)
    history = statistics.history()
    assert len([row for row in history if row["laureates"] or row["imported_laureates"]]) >= 3


def test_seed_demo_bulk_submissions_rush_towards_the_deadline(seeded):
    p1w1 = Phase.objects.get(edition__year=2026, kind=PhaseKind.PHASE1, wave=1)
    third = (p1w1.closes_at - p1w1.opens_at) / 3
    filed = demo_bulk.bulk_dossiers().filter(phase=p1w1, submitted_at__isnull=False)
    first = filed.filter(submitted_at__lt=p1w1.opens_at + third).count()
    last = filed.filter(submitted_at__gt=p1w1.closes_at - third).count()
    assert last > 2 * first > 0
    assert not filed.filter(submitted_at__gt=p1w1.closes_at).exists()


def test_seed_demo_bulk_dossiers_are_what_the_services_would_have_written(seeded, client):
    bulk = demo_bulk.bulk_dossiers().select_related("phase__edition", "region", "owner")
    assert 250 <= bulk.count() <= 400
    # References in the edition's series, known to its sequence; the region is the lead member's.
    for dossier in bulk:
        number = re.fullmatch(
            rf"PTCE-{dossier.phase.edition.year}-{dossier.phase.reference_code}-(\d{{4}})", dossier.reference
        )
        sequence = ReferenceSequence.objects.get(edition=dossier.phase.edition, kind=dossier.phase.kind)
        assert number and int(number[1]) <= sequence.last_number
    leads = MemberStructure.objects.filter(dossier__in=bulk, role=MemberRole.LEAD)
    assert leads.count() == bulk.count()
    assert all(
        region == lead_region
        for region, lead_region in leads.values_list("dossier__region", "commune__departement__region")
    )
    # The history leads to the state; a filed dossier is complete, frozen in its version 1, with 3 to 8 members.
    transitions = defaultdict(list)
    for row in DossierTransition.objects.filter(dossier__in=bulk).order_by("at", "pk"):
        transitions[row.dossier_id].append(row)
    versions = dict(DossierVersion.objects.filter(dossier__in=bulk).values_list("dossier", "number"))
    for dossier in bulk:
        path = transitions[dossier.pk]
        if dossier.state == DossierState.DRAFT:
            assert path == [] and dossier.submitted_at is None and dossier.pk not in versions
            continue
        assert [row.from_state for row in path[1:]] == [row.to_state for row in path[:-1]]
        assert (path[0].action, path[0].at, path[-1].to_state) == ("submit", dossier.submitted_at, dossier.state)
        assert dossier.phase.opens_at <= dossier.submitted_at <= dossier.phase.closes_at
        assert path[-1].at <= timezone.now() and versions[dossier.pk] == 1
        members, attachments = dossier.loaded_parts()
        assert missing_items(dossier, members, attachments) == [] and 3 <= len(members) <= 8
    # Decisions only where the committee's rules allow them, published with their phase's session.
    decided = bulk.filter(state__in=DossierState.decided())
    assert decided.exists() and not decided.exclude(phase__committee_sessions__published_at__isnull=False).exists()
    for dossier in decided.prefetch_related("decisions"):
        (decision,) = dossier.decisions.all()
        assert decision.published_at and decision.session.phase_id == dossier.phase_id
        assert publication.STATES[decision.outcome] == dossier.state and decision.amount is None
    assert not bulk.filter(phase__committee_sessions__published_at__isnull=True, state__in=DossierState.decided())
    for phase in Phase.objects.all():
        commitment = committee.commitment(phase)
        assert phase.max_laureates is None or commitment.laureates <= phase.max_laureates
        assert not commitment.over_envelope and (commitment.edition_remaining or 0) >= 0
    # The pages: staff, partner, reviewer and porteurs.
    samples = [
        bulk.filter(phase__kind=PhaseKind.PHASE1, phase__wave=2, state=DossierState.ELIGIBLE).first(),
        bulk.filter(state=DossierState.LAUREATE).first(),
        bulk.filter(phase__kind=PhaseKind.PHASE2, phase__wave=2, state=DossierState.IN_REVIEW).first(),
        bulk.filter(phase__edition__year=2023, state=DossierState.NOT_RETAINED).first(),
    ]
    client.force_login(seeded["instructeur@demo.ptce.fr"])
    for dossier in samples:
        assert client.get(reverse("reviews:dossier", args=[dossier.reference])).status_code == 200
    assert client.get(reverse("reviews:dossier_list")).status_code == 200
    client.force_login(seeded["cress-ara@demo.ptce.fr"])
    ara = bulk.filter(region="84", state=DossierState.ELIGIBLE).first()
    assert client.get(reverse("reviews:dossier", args=[ara.reference])).status_code == 200
    assert client.get(reverse("reviews:regional_opinions")).status_code == 200
    assert client.get(reverse("site:dashboard")).status_code == 200
    client.force_login(seeded["evaluateur@demo.ptce.fr"])
    assert client.get(reverse("reviews:queue")).status_code == 200
    for porteur in (samples[2].owner, seeded["porteur@demo.ptce.fr"]):
        client.force_login(porteur)
        assert client.get(reverse("applications:dossier_list")).status_code == 200
    assert client.get(samples[2].get_absolute_url()).status_code == 404  # not porteur@'s dossier
    client.force_login(samples[2].owner)
    assert client.get(samples[2].get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(reverse("site:laureates")).status_code == 200  # the bulk PTCE émergents among them


def test_seed_demo_bulk_is_rewritten_on_a_later_day(seeded):
    count = demo_bulk.bulk_dossiers().count()
    later = timezone.localdate() + datetime.timedelta(days=3)

    with transaction.atomic():
        phases = seed_calls(later)
        assert demo_bulk.seed_bulk(phases, seeded, later) == count

    current = phases["p1w2"]
    assert demo_bulk.bulk_dossiers().filter(phase=current).exists()
    assert not demo_bulk.bulk_dossiers().filter(phase=current, created_at__lt=current.opens_at).exists()
    assert Decision.objects.filter(dossier__in=demo_bulk.bulk_dossiers()).count() == (
        demo_bulk.bulk_dossiers().filter(state__in=DossierState.decided()).count()
    )


def test_seed_demo_gives_the_staff_accounts_a_known_totp_secret_when_their_role_requires_one(territories, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["instructeur", "administrateur"]
    settings.DEBUG = True
    output, codes = io.StringIO(), io.StringIO()

    call_command("seed_demo", force=True, stdout=output)
    call_command("seed_demo", force=True, stdout=io.StringIO())  # idempotent: still one device each
    call_command("demo_totp_code", stdout=codes)

    devices = TOTPDevice.objects.filter(confirmed=True)
    assert sorted(devices.values_list("user__email", flat=True)) == ["admin@demo.ptce.fr", "instructeur@demo.ptce.fr"]
    assert f"clé TOTP {DEMO_TOTP_SECRET}" in output.getvalue().splitlines()[-1]
    printed = dict(line.split(" : ") for line in codes.getvalue().splitlines())
    device = devices.get(user__email="instructeur@demo.ptce.fr")
    assert device.verify_token(printed["instructeur@demo.ptce.fr"])


def test_demo_totp_code_refuses_production(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("demo_totp_code")
