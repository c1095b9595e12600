import pytest
from django.contrib.auth.models import AnonymousUser

from ptce_ami.accounts import rules as account_rules
from tests.accounts.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["porteur", "evaluateur", "partenaire", "instructeur", "administrateur"]
EXPECTED = {
    "is_porteur": {"porteur"},
    "is_evaluateur": {"evaluateur"},
    "is_partenaire": {"partenaire"},
    "is_instructeur": {"instructeur", "administrateur"},
    "is_administrateur": {"administrateur"},
}


@pytest.mark.parametrize("predicate", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_role_predicates(predicate, role):
    user = UserFactory(**{role: True})

    assert getattr(account_rules, predicate)(user) is (role in EXPECTED[predicate])


@pytest.mark.parametrize("predicate", sorted(EXPECTED))
def test_anonymous_and_inactive_users_have_no_role(predicate):
    inactive = UserFactory(administrateur=True, is_active=False)

    assert getattr(account_rules, predicate)(AnonymousUser()) is False
    assert getattr(account_rules, predicate)(inactive) is False


def test_partenaire_of_region_only_for_attached_regions():
    ara = RegionFactory()
    bretagne = RegionFactory(code="53", name="Bretagne")
    partner = UserFactory(partenaire=True, regions=[ara])

    assert account_rules.is_partenaire_of_region(partner, ara) is True
    assert account_rules.is_partenaire_of_region(partner, "84") is True
    assert account_rules.is_partenaire_of_region(partner, bretagne) is False
    assert account_rules.is_partenaire_of_region(partner, None) is False
    assert account_rules.is_partenaire_of_region(UserFactory(instructeur=True), ara) is False


def test_instructeur_manages_non_staff_accounts_only():
    instructeur = UserFactory(instructeur=True)

    assert instructeur.has_perm("accounts.change_user", UserFactory(evaluateur=True))
    assert not instructeur.has_perm("accounts.change_user", UserFactory(administrateur=True))
    assert not instructeur.has_perm("accounts.delete_user", UserFactory())
    assert not UserFactory(partenaire=True).has_perm("accounts.view_user")
