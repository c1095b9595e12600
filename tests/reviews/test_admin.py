"""The reviews app in the Django admin: instructeurs edit grids (criteria inline, proposal mark, total weight,
copy onto a phase), follow assignments and declarations; reviews and regional opinions are read-only."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from reviews.models import AssignmentStatus, CommitteeSession, Grid
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, MemberFactory, PhaseFactory, siret_from
from tests.reviews.factories import (
    AssignmentFactory,
    DeclarationFactory,
    GridFactory,
    RegionalOpinionFactory,
    make_review,
)
from tests.reviews.grants_helpers import open_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructeur_client(client):
    client.force_login(UserFactory(instructeur=True))
    return client


def test_the_grid_list_marks_proposals_and_shows_the_total_weight(instructeur_client):
    GridFactory(name="Grille maison", phase=PhaseFactory(), criteria=(30, 30, 40))

    response = instructeur_client.get(reverse("admin:reviews_grid_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Proposition à valider" in page  # the default grids of the migration are proposals
    row = next(grid for grid in response.context["cl"].result_list if grid.name == "Grille maison")
    assert row.total_weight == 100


def test_instructeur_edits_a_criterion_inline(instructeur_client):
    grid = GridFactory(phase=PhaseFactory(), criteria=(60, 40))
    first, second = grid.criteria.all()
    prefix = "criteria"
    data = {
        "name": grid.name,
        "phase_kind": grid.phase_kind,
        "phase": grid.phase_id,
        "aggregation": "mean",
        "discordance_threshold": "25",
        "levels": '["Absent", "Faible", "Moyen", "Bon", "Excellent"]',
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "2",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, (criterion, weight) in enumerate([(first, 70), (second, 30)]):
        data.update(
            {
                f"{prefix}-{index}-id": criterion.pk,
                f"{prefix}-{index}-grid": grid.pk,
                f"{prefix}-{index}-position": criterion.position,
                f"{prefix}-{index}-label": criterion.label,
                f"{prefix}-{index}-guidance": "Ce que l'évaluateur regarde.",
                f"{prefix}-{index}-weight": weight,
            }
        )

    response = instructeur_client.post(reverse("admin:reviews_grid_change", args=[grid.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(grid.criteria.values_list("weight", flat=True)) == [70, 30]


def test_copy_a_grid_onto_a_phase(instructeur_client):
    grid = Grid.objects.get(phase__isnull=True, phase_kind="phase1")
    phase = PhaseFactory()
    url = reverse("admin:reviews_grid_changelist")

    page = instructeur_client.post(url, {"action": "copy_to_phase", ACTION_CHECKBOX_NAME: [grid.pk]})
    assert page.status_code == 200
    instructeur_client.post(
        url, {"action": "copy_to_phase", ACTION_CHECKBOX_NAME: [grid.pk], "phase": phase.pk, "apply": "1"}
    )

    copy = Grid.objects.get(phase=phase)
    assert [(c.label, c.weight) for c in copy.criteria.all()] == [(c.label, c.weight) for c in grid.criteria.all()]
    assert copy.is_proposal


def test_assignments_are_not_added_in_the_admin_but_their_due_date_is_editable(instructeur_client):
    assignment = AssignmentFactory()

    assert instructeur_client.get(reverse("admin:reviews_assignment_add")).status_code == 403
    response = instructeur_client.get(reverse("admin:reviews_assignment_change", args=[assignment.pk]))
    assert list(response.context["adminform"].form.fields) == ["due_at"]


def test_a_declaration_edited_in_the_admin_detects_conflicts(instructeur_client):
    assignment = AssignmentFactory(confirmed=True)
    MemberFactory(dossier=assignment.dossier, name="SCOP Les Ateliers", siret=siret_from(321))
    declaration = DeclarationFactory(reviewer=assignment.reviewer, edition=assignment.dossier.phase.edition)
    data = {
        "regions": [],
        "other_interests": "",
        "organisations-TOTAL_FORMS": "1",
        "organisations-INITIAL_FORMS": "0",
        "organisations-MIN_NUM_FORMS": "0",
        "organisations-MAX_NUM_FORMS": "1000",
        "organisations-0-name": "SCOP Les Ateliers",
        "organisations-0-siret": siret_from(321),
        "organisations-0-declaration": declaration.pk,
    }

    response = instructeur_client.post(
        reverse("admin:reviews_reviewerdeclaration_change", args=[declaration.pk]), data
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT


def test_reviews_and_regional_opinions_are_read_only(instructeur_client):
    assignment = AssignmentFactory(confirmed=True)
    GridFactory(phase=assignment.dossier.phase)
    review = make_review(assignment, [3, 3])
    opinion = RegionalOpinionFactory(dossier=DossierFactory(submitted=True, region=RegionFactory()))

    for name, obj in (("review", review), ("regionalopinion", opinion)):
        assert instructeur_client.get(reverse(f"admin:reviews_{name}_changelist")).status_code == 200
        page = instructeur_client.get(reverse(f"admin:reviews_{name}_change", args=[obj.pk]))
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        assert instructeur_client.get(reverse(f"admin:reviews_{name}_add")).status_code == 403


@pytest.mark.parametrize("role", ["evaluateur", "partenaire", "porteur"])
def test_the_reviews_admin_is_for_instructeurs(client, role):
    client.force_login(UserFactory(**{role: True}))

    response = client.get(reverse("admin:reviews_grid_changelist"))

    assert response.status_code == 302  # to the admin login: not staff


@pytest.mark.parametrize("model", ["committeesession", "decision", "grant"])
def test_the_selection_and_the_grants_are_read_in_the_admin_never_written(client, model):
    grant = open_grant()
    session = CommitteeSession.objects.create(phase=grant.dossier.phase, held_on=datetime.date(2026, 5, 13))
    objects = {"committeesession": session, "decision": grant.decision, "grant": grant}
    client.force_login(UserFactory(instructeur=True))

    listing = client.get(reverse(f"admin:reviews_{model}_changelist"))
    change = client.get(reverse(f"admin:reviews_{model}_change", args=[objects[model].pk]))
    add = client.get(reverse(f"admin:reviews_{model}_add"))

    assert (listing.status_code, change.status_code, add.status_code) == (200, 200, 403)
    assert not change.context["has_change_permission"]
    client.force_login(UserFactory(partenaire=True))
    assert client.get(reverse(f"admin:reviews_{model}_changelist")).status_code in (302, 403)
