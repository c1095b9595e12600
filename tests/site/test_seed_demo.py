import pytest
from django.core.management import CommandError, call_command

from applications.enums import PhaseKind
from applications.models import Edition, Phase
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from tests.accounts.factories import RegionFactory

pytestmark = pytest.mark.django_db

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
    )


def test_seed_demo_creates_every_role_an_open_phase_1_and_a_closed_phase_2():
    RegionFactory()

    call_command("seed_demo", force=True)

    assert dict(User.objects.values_list("email", "role")) == DEMO_EMAILS
    assert all(user.check_password("demo-ptce-2026") and user.email_confirmed for user in User.objects.all())
    assert list(User.objects.get(email="cress-ara@demo.ptce.fr").regions.values_list("code", flat=True)) == ["84"]
    phase1 = Phase.objects.get(kind=PhaseKind.PHASE1)
    phase2 = Phase.objects.get(kind=PhaseKind.PHASE2)
    assert phase1.is_open() and not phase2.is_open()
    assert (phase1.closes_at - phase1.opens_at).days == 60


def test_seed_demo_is_idempotent():
    RegionFactory()
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
