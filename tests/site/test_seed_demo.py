import pytest
from django.core.management import CommandError, call_command

from applications.enums import DossierState, PhaseKind
from applications.models import Dossier, Edition, Notice, Phase
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from territories.loader import default_file, load_referential

pytestmark = pytest.mark.django_db


@pytest.fixture
def territories(db):
    """The real 2026 referential: the demo dossiers are located in real communes."""
    load_referential(default_file())


DEMO_EMAILS = {
    "porteur@demo.ptce.fr": Role.PORTEUR,
    "porteur2@demo.ptce.fr": Role.PORTEUR,
    "evaluateur@demo.ptce.fr": Role.EVALUATEUR,
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
    )


def test_seed_demo_creates_every_role_an_open_phase_1_and_a_closed_phase_2(territories):
    call_command("seed_demo", force=True)

    assert dict(User.objects.values_list("email", "role")) == DEMO_EMAILS
    assert all(user.check_password("demo-ptce-2026") and user.email_confirmed for user in User.objects.all())
    assert list(User.objects.get(email="cress-ara@demo.ptce.fr").regions.values_list("code", flat=True)) == ["84"]
    phase1 = Phase.objects.get(kind=PhaseKind.PHASE1)
    phase2 = Phase.objects.get(kind=PhaseKind.PHASE2)
    assert phase1.is_open() and not phase2.is_open()
    assert (phase1.closes_at - phase1.opens_at).days == 60


def test_seed_demo_adds_drafts_and_submitted_dossiers_in_several_regions(
    territories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", force=True)

    dossiers = Dossier.objects.order_by("reference")
    assert sorted(dossiers.values_list("state", flat=True)) == [
        DossierState.DRAFT,
        DossierState.DRAFT,
        DossierState.SUBMITTED,
        DossierState.SUBMITTED,
    ]
    assert set(dossiers.values_list("region__name", flat=True)) == {
        "Auvergne-Rhône-Alpes",
        "Bretagne",
        "Occitanie",
    }
    assert all(dossier.members.count() >= 1 for dossier in dossiers)
    assert Notice.objects.filter(status="ready").count() == 2  # the receipts of the submitted ones


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
