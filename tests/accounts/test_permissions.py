"""One way to check a permission (ptce_ami.accounts.permissions): the rules decide, for superusers too, and the
project's code asks them through that module only."""

import ast
import importlib
from pathlib import Path

import pytest
import rules
from django.apps import apps
from django.core.exceptions import PermissionDenied

from ptce_ami.accounts import permissions
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["applications", "reviews", "territories", "ptce_ami"]
# Where a permission may be asked otherwise than through accounts.permissions: the module itself, and User, which
# delegates to it so that the Django admin and the rules' template tag agree.
CHECKERS = {"ptce_ami/accounts/permissions.py", "ptce_ami/accounts/models.py"}
# The django-rules predicates: views and services ask permissions by name, never a predicate directly.
PREDICATE_MODULES = {"applications.rules", "reviews.rules", "ptce_ami.accounts.rules"}


def registered_permissions():
    return sorted(rules.permissions.permissions)


def test_a_superuser_holds_exactly_what_the_rules_give_them():
    administrateur = UserFactory(administrateur=True)
    dossier = DossierFactory(submitted=True)
    assert administrateur.is_superuser

    for perm in registered_permissions():
        for obj in (None, dossier):
            expected = rules.has_perm(perm, administrateur, obj)
            assert administrateur.has_perm(perm, obj) is expected, perm
            assert permissions.has_perm(administrateur, perm, obj) is expected, perm
    assert not administrateur.has_perm("applications.submit_dossier", dossier)
    assert not administrateur.has_perm("applications.create_dossier")


def test_django_permissions_no_rule_declares_keep_the_superuser_bypass():
    """Third-party models in the admin (periodic tasks…) stay the administrateur's."""
    administrateur = UserFactory(administrateur=True)
    instructeur = UserFactory(instructeur=True)

    assert administrateur.has_perm("django_celery_beat.change_periodictask")
    assert not instructeur.has_perm("django_celery_beat.change_periodictask")


@pytest.mark.parametrize(
    "perm",
    [
        "reviews.delete_assignment",  # assignments are removed through their page, which keeps the history
        "reviews.delete_reviewerdeclaration",  # a conflict-of-interest declaration is evidence
        "applications.delete_edition",
        "applications.delete_phase",
        "core.delete_auditentry",
        "applications.no_such_permission",
    ],
)
def test_a_permission_of_our_apps_that_no_rule_declares_is_refused_even_to_a_superuser(perm):
    administrateur = UserFactory(administrateur=True)

    assert administrateur.is_superuser and not permissions.knows(perm)
    assert not administrateur.has_perm(perm)


def test_our_app_labels_are_the_installed_apps_of_our_packages():
    ours = {app.label for app in apps.get_app_configs() if app.name.split(".")[0] in PACKAGES}
    assert ours == permissions.OWN_APP_LABELS


def test_an_action_tells_a_stranger_from_an_actor_who_comes_too_late():
    dossier = DossierFactory()
    stranger = UserFactory()

    assert (
        permissions.check_action(dossier.owner, "applications.submit_dossier", dossier) is permissions.Outcome.ALLOWED
    )
    assert permissions.check_action(stranger, "applications.submit_dossier", dossier) is permissions.Outcome.REFUSED
    dossier.state = "submitted"
    assert (
        permissions.check_action(dossier.owner, "applications.submit_dossier", dossier) is permissions.Outcome.NOT_NOW
    )
    assert permissions.require_action(dossier.owner, "applications.submit_dossier", dossier) is False
    with pytest.raises(PermissionDenied, match="Seul le titulaire du dossier"):
        permissions.require_action(stranger, "applications.submit_dossier", dossier)


def test_inactive_accounts_hold_nothing():
    dossier = DossierFactory()
    dossier.owner.is_active = False

    assert not permissions.has_perm(dossier.owner, "applications.change_dossier", dossier)
    assert (
        permissions.check_action(dossier.owner, "applications.change_dossier", dossier) is permissions.Outcome.REFUSED
    )


def python_files():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def checks_in(path):
    """(line, what) of each permission asked otherwise than through accounts.permissions in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    relative = path.relative_to(ROOT).as_posix()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "has_perm":
            if ast.unparse(node.func) != "permissions.has_perm":
                found.append((node.lineno, ast.unparse(node.func)))
        if isinstance(node, ast.ImportFrom) and node.module in PREDICATE_MODULES and path.name != "rules.py":
            module = importlib.import_module(node.module)
            for alias in node.names:
                if isinstance(getattr(module, alias.name, None), rules.Predicate):
                    found.append((node.lineno, f"from {node.module} import {alias.name}"))
    if relative in CHECKERS or path.name == "admin.py":  # ModelAdmin's has_*_permission go through User.has_perm
        return []
    return found


def test_the_code_asks_permissions_through_one_module():
    offenders = {path.relative_to(ROOT).as_posix(): found for path in python_files() if (found := checks_in(path))}

    assert offenders == {}
