"""The role × URL matrix (issue 13): every URL pattern of the resolver, for every role, on GET and POST, answers what
tests/security/matrix.py declares. A pattern missing from the table fails, so does a table key the resolver no longer
has, and any 5xx.

One test per pattern: it asks every role and method and fails with the full list of mismatches, naming the role,
the URL and the method. The world is built once per module (per xdist worker); each request runs in a savepoint
rolled back afterwards.
"""

import pytest

from tests.security import harness
from tests.security.matrix import ADMIN_MODELS, ADMIN_PAGES, MATRIX, admin_expectations
from tests.security.urls_filled import KWARGS, admin_kwargs
from tests.security.world import ROLES

pytestmark = pytest.mark.django_db

PATTERNS = harness.patterns()
SITE = [pattern for pattern in PATTERNS if not pattern.is_admin]
ADMIN = [pattern for pattern in PATTERNS if pattern.is_admin]


def test_every_pattern_of_the_resolver_is_in_the_table():
    missing = [f"{p.key}  ({p.route})" for p in SITE if p.key not in MATRIX]
    assert not missing, "URL patterns missing from tests/security/matrix.py MATRIX (see its docstring):\n" + "\n".join(
        missing
    )
    without_kwargs = [p.key for p in SITE if p.kwargs and p.key not in KWARGS]
    assert not without_kwargs, "patterns whose arguments urls_filled.KWARGS does not give: " + ", ".join(
        without_kwargs
    )


def test_every_key_of_the_table_is_a_pattern_of_the_resolver():
    keys = {pattern.key for pattern in SITE}
    stale = sorted((set(MATRIX) | set(KWARGS)) - keys)
    assert not stale, f"entries of matrix.py / urls_filled.py for views that no longer exist: {stale}"


def test_every_admin_pattern_is_of_a_known_family():
    unknown = [f"{p.key}  ({p.route})" for p in ADMIN if admin_expectations(p) is None]
    assert not unknown, "admin patterns of no family of matrix.ADMIN_PAGES / ADMIN_MODELS:\n" + "\n".join(unknown)
    names = {p.key for p in ADMIN}
    stale = sorted(key for key in ADMIN_PAGES if key not in names)
    stale += sorted(model for model in ADMIN_MODELS if f"admin:{model}_changelist" not in names)
    assert not stale, f"entries of matrix.ADMIN_PAGES / ADMIN_MODELS the admin no longer has: {stale}"


@pytest.mark.ignore_template_errors
def test_an_instructeur_reads_but_never_changes_a_staff_account_in_the_admin(world):
    """The admin's object-level rule (accounts.change_user): an instructeur changes non-staff accounts only."""
    for target, expected in (("administrateur", 403), ("instructeur", 403), ("partner", harness.OK)):
        path = f"/admin/accounts/user/{world.users[target].pk}/change/"
        client = harness.role_client(world.sessions["instructeur"])
        assert harness.fetch(client, "get", path)[0] == 200, target
        observed, detail = harness.fetch(client, "post", path)
        assert harness.matches(expected, observed, "post"), f"{target}: expected {expected}, got {observed} {detail}"


def headers_for(world, pattern, role):
    if pattern.route.startswith("api/") and role in world.secrets:
        return {"Authorization": f"Bearer {world.secrets[role]}"}
    return {}


def check(world, pattern, expectations, record_property):
    kwargs = admin_kwargs(pattern, world) if pattern.is_admin else KWARGS.get(pattern.key, lambda w: {})(world)
    assert all(value is not None for value in kwargs.values()), f"the world has no object for {pattern.key}"
    path = harness.fill(pattern.route, kwargs)
    mismatches, cases = [], 0
    for method, rows in zip(("get", "post"), expectations, strict=True):
        for role in ROLES:
            client = harness.role_client(world.sessions[role])
            observed, detail = harness.fetch(client, method, path, headers_for(world, pattern, role))
            cases += 1
            expected = rows[role]
            if observed == harness.SERVER_ERROR or not harness.matches(expected, observed, method):
                mismatches.append(
                    f"{role:15} {method.upper():4} {path}: expected {expected}, got {observed} {detail}".rstrip()
                )
    record_property("count:role x URL x method cases", cases)
    assert not mismatches, f"{pattern.key}:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("pattern", SITE, ids=[p.key for p in SITE])
def test_matrix(world, pattern, record_property):
    if pattern.key not in MATRIX:
        pytest.fail(f"{pattern.key} is missing from tests/security/matrix.py")
    check(world, pattern, MATRIX[pattern.key], record_property)


# Django's own admin templates read variables they leave undefined (``password_url|default``).
@pytest.mark.ignore_template_errors
@pytest.mark.parametrize("pattern", ADMIN, ids=[p.key for p in ADMIN])
def test_admin_matrix(world, pattern, record_property):
    expectations = admin_expectations(pattern)
    if expectations is None:
        pytest.fail(f"{pattern.key} belongs to no family of matrix.ADMIN_PAGES")
    check(world, pattern, expectations, record_property)
