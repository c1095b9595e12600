import pytest

from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "is_staff", "is_superuser"),
    [
        (Role.PORTEUR, False, False),
        (Role.EVALUATEUR, False, False),
        (Role.PARTENAIRE, False, False),
        (Role.INSTRUCTEUR, True, False),
        (Role.ADMINISTRATEUR, True, True),
    ],
)
def test_role_decides_admin_access(role, is_staff, is_superuser):
    user = UserFactory(role=role)

    assert (user.is_staff, user.is_superuser) == (is_staff, is_superuser)


def test_changing_role_with_update_fields_keeps_flags_in_step():
    user = UserFactory(instructeur=True)

    user.role = Role.PORTEUR
    user.save(update_fields=["role"])

    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_email_is_stored_lower_case_and_unique_without_case():
    User.objects.create_user("Marie@Example.FR", "x" * 12)

    assert User.objects.get_by_natural_key("MARIE@example.fr").email == "marie@example.fr"


def test_create_superuser_is_a_confirmed_administrateur():
    user = User.objects.create_superuser("root@example.fr", "x" * 12)

    assert (user.role, user.is_superuser, user.email_confirmed) == (Role.ADMINISTRATEUR, True, True)
