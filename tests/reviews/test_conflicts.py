"""Conflicts of interest: detection by SIREN, the reviewers' declaration of interests, the per-dossier
confirmation, what a reviewer reaches (visible_to) in each assignment status, and the effect of a declared
conflict on the dossier's score."""

import html as htmllib

import pytest
from django.urls import reverse
from stdnum import luhn

from applications.enums import DossierState
from applications.models import Dossier, DossierInvitation
from reviews.models import AssignmentStatus, DeclaredOrganisation, DossierScore, ReviewerDeclaration
from reviews.services import assignments, conflicts
from reviews.services.scoring import refresh_dossier_score
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, MemberFactory, siret_from
from tests.reviews.factories import AssignmentFactory, DeclarationFactory, GridFactory, make_review

pytestmark = pytest.mark.django_db


def other_establishment(siret, nic="0099"):
    """Another valid SIRET of the same company (same SIREN, another NIC)."""
    body = siret[:9] + nic
    return body + luhn.calc_check_digit(body)


@pytest.fixture
def dossier():
    dossier = DossierFactory(submitted=True, state=DossierState.IN_REVIEW, region=RegionFactory())
    MemberFactory(dossier=dossier, lead=True, name="Association Coop des Rives", siret=siret_from(501))
    MemberFactory(dossier=dossier, name="SCOP Les Ateliers", siret=siret_from(502))
    return dossier


def declare(reviewer, dossier, *sirets):
    return DeclarationFactory(reviewer=reviewer, edition=dossier.phase.edition, sirets=list(sirets))


# Detection -----------------------------------------------------------------------------------------------------


def test_a_declared_organisation_with_the_siren_of_a_member_is_a_conflict(dossier):
    reviewer = UserFactory(evaluateur=True)
    declare(reviewer, dossier, other_establishment(siret_from(502)))

    reasons = conflicts.detect(reviewer, dossier)

    assert len(reasons) == 1
    assert "SCOP Les Ateliers" in reasons[0]
    assert "même SIREN" in reasons[0]


def test_an_unrelated_organisation_is_no_conflict(dossier):
    reviewer = UserFactory(evaluateur=True)
    declare(reviewer, dossier, siret_from(777))

    assert conflicts.detect(reviewer, dossier) == []


def test_a_declaration_for_another_edition_does_not_count(dossier):
    reviewer = UserFactory(evaluateur=True)
    DeclarationFactory(reviewer=reviewer, edition=EditionFactory(year=2025), sirets=[siret_from(501)])

    assert conflicts.detect(reviewer, dossier) == []


def test_a_reviewer_who_co_edits_the_dossier_is_a_detected_conflict(dossier):
    reviewer = UserFactory(evaluateur=True, email="relectrice@example.fr")
    DossierInvitation.objects.create(dossier=dossier, email=reviewer.email, invited_by=dossier.owner)

    assert conflicts.detect(reviewer, dossier) == [
        "L'évaluateur est co-éditeur du dossier (invité par son titulaire à l'adresse relectrice@example.fr)."
    ]


def test_a_reviewer_who_owns_the_dossier_is_a_detected_conflict(dossier):
    owner = dossier.owner
    owner.role = "evaluateur"  # a porteur's account that staff later made a reviewer
    owner.save(update_fields=["role"])

    assert conflicts.detect(owner, dossier) == ["L'évaluateur est le titulaire du dossier."]


def test_a_co_editing_reviewer_cannot_be_assigned_and_the_reason_is_shown(client, dossier):
    reviewer = UserFactory(evaluateur=True, email="relectrice@example.fr")
    DossierInvitation.objects.create(dossier=dossier, email=reviewer.email, invited_by=dossier.owner)

    with pytest.raises(assignments.AssignmentRefused, match="co-éditeur du dossier"):
        assignments.assign(dossier, reviewer, by=UserFactory(instructeur=True))


def test_a_co_editing_reviewer_assigned_earlier_cannot_confirm_no_conflict(client, dossier):
    assignment = AssignmentFactory(dossier=dossier)
    declare(assignment.reviewer, dossier)
    DossierInvitation.objects.create(dossier=dossier, email=assignment.reviewer.email, invited_by=dossier.owner)
    client.force_login(assignment.reviewer)

    client.post(confirm_url(assignment), {"decision": "no_conflict"})

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT
    assert "co-éditeur du dossier" in assignment.conflict_reason
    assert list(Dossier.objects.visible_to(assignment.reviewer)) == []


def test_conflicts_between_many_reviewers_and_dossiers_cost_constant_queries(dossier, django_assert_num_queries):
    reviewers = [UserFactory(evaluateur=True) for _ in range(3)]
    declare(reviewers[1], dossier, siret_from(501))
    other = DossierFactory(submitted=True, phase=dossier.phase)
    MemberFactory(dossier=other, siret=siret_from(900))
    declare(reviewers[2], other, siret_from(900))
    DossierInvitation.objects.create(dossier=other, email=reviewers[0].email, invited_by=other.owner)
    dossiers = list(Dossier.objects.filter(pk__in=[dossier.pk, other.pk]).select_related("phase"))

    # The co-editors' invitations, the member structures, the declared organisations.
    with django_assert_num_queries(3):
        found = conflicts.conflicts_between(reviewers, dossiers)

    assert set(found) == {(dossier.pk, reviewers[1].pk), (other.pk, reviewers[2].pk), (other.pk, reviewers[0].pk)}


def test_a_region_of_activity_is_a_warning_not_a_conflict(dossier):
    reviewer = UserFactory(evaluateur=True)
    declaration = declare(reviewer, dossier)
    declaration.regions.add(dossier.region)

    assert conflicts.detect(reviewer, dossier) == []
    assert list(conflicts.region_warnings([(dossier, reviewer.pk)])) == [(dossier.pk, reviewer.pk)]


# What a reviewer reaches ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "visible"),
    [
        (AssignmentStatus.TO_CONFIRM, False),
        (AssignmentStatus.IN_PROGRESS, True),
        (AssignmentStatus.SUBMITTED, True),
        (AssignmentStatus.CONFLICT, False),
    ],
)
def test_a_reviewer_reaches_a_dossier_once_confirmed_and_never_after_a_conflict(status, visible):
    assignment = AssignmentFactory(status=status)
    AssignmentFactory(reviewer=assignment.reviewer, dossier__phase=assignment.dossier.phase, status="to_confirm")

    reached = list(Dossier.objects.visible_to(assignment.reviewer))

    assert reached == ([assignment.dossier] if visible else [])


def test_another_reviewer_does_not_reach_the_dossier():
    assignment = AssignmentFactory(confirmed=True)

    assert list(Dossier.objects.visible_to(UserFactory(evaluateur=True))) == []
    assert list(Dossier.objects.visible_to(assignment.reviewer)) == [assignment.dossier]


# The declaration page ------------------------------------------------------------------------------------------


def declaration_data(edition, *organisations, regions=(), other=""):
    data = {
        "edition": edition.pk,
        "organisations-TOTAL_FORMS": str(max(len(organisations), 1)),
        "organisations-INITIAL_FORMS": "0",
        "organisations-MIN_NUM_FORMS": "0",
        "organisations-MAX_NUM_FORMS": "1000",
        "regions": [region.pk for region in regions],
        "other_interests": other,
    }
    for index, (name, siret) in enumerate(organisations):
        data[f"organisations-{index}-name"] = name
        data[f"organisations-{index}-siret"] = siret
    return data


def test_a_reviewer_declares_their_organisations_and_regions(client, dossier):
    reviewer = UserFactory(evaluateur=True)
    client.force_login(reviewer)
    edition = dossier.phase.edition
    assert client.get(reverse("reviews:declaration")).status_code == 200

    siret = siret_from(42)
    response = client.post(
        reverse("reviews:declaration"),
        declaration_data(
            edition,
            ("Fondation Horizon", f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"),
            regions=[dossier.region],
        ),
    )

    assert response.status_code == 302
    declaration = ReviewerDeclaration.objects.get(reviewer=reviewer, edition=edition)
    assert list(declaration.organisations.values_list("name", "siret", "siren")) == [
        ("Fondation Horizon", siret, siret[:9])
    ]
    assert list(declaration.regions.all()) == [dossier.region]


def test_an_invalid_siret_is_refused_in_french(client, dossier):
    client.force_login(UserFactory(evaluateur=True))

    response = client.post(
        reverse("reviews:declaration"), declaration_data(dossier.phase.edition, ("Fondation", "12345678901234"))
    )

    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors["siret"]
    assert errors == [
        "Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été inversé."
    ]
    assert not ReviewerDeclaration.objects.exists()


def test_a_declaration_that_reveals_a_conflict_removes_the_assignment(client, dossier):
    assignment = AssignmentFactory(dossier=dossier, confirmed=True)
    client.force_login(assignment.reviewer)

    client.post(
        reverse("reviews:declaration"),
        declaration_data(dossier.phase.edition, ("Coop des Rives", other_establishment(siret_from(501)))),
    )

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT
    assert "Association Coop des Rives" in assignment.conflict_reason
    assert list(Dossier.objects.visible_to(assignment.reviewer)) == []


REQUIRED_NOTICE = "Sauf mention contraire, tous les champs sont obligatoires."
ROWS_NOTICE = "Pour chaque organisation déclarée, le nom et le SIRET sont obligatoires."


@pytest.mark.parametrize("declared", [0, 2], ids=["no-organisation", "two-organisations"])
def test_the_declaration_says_once_what_is_required_above_its_optional_rows(client, dossier, declared):
    reviewer = UserFactory(evaluateur=True)
    DeclarationFactory(
        reviewer=reviewer, edition=dossier.phase.edition, sirets=[siret_from(n) for n in range(42, 42 + declared)]
    )
    client.force_login(reviewer)

    response = client.get(reverse("reviews:declaration"))

    page = " ".join(htmllib.unescape(response.content.decode()).split())
    assert len(response.context["formset"].forms) == declared + 3
    assert page.count(REQUIRED_NOTICE) == 0
    assert page.count(ROWS_NOTICE) == 1


def test_a_started_row_of_the_declaration_asks_for_its_missing_field(client, dossier):
    client.force_login(UserFactory(evaluateur=True))

    response = client.post(reverse("reviews:declaration"), declaration_data(dossier.phase.edition, ("Fondation", "")))

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["siret"] == ["Ce champ est obligatoire."]
    assert "Ce champ est obligatoire." in response.content.decode()


@pytest.mark.parametrize("role", ["porteur", "partenaire", "instructeur"])
def test_the_declaration_page_is_for_reviewers_only(client, role, dossier):
    client.force_login(UserFactory(**{role: True}))

    assert client.get(reverse("reviews:declaration")).status_code == 404


# Confirming an assignment --------------------------------------------------------------------------------------


def confirm_url(assignment):
    return reverse("reviews:assignment_confirm", args=[assignment.pk])


def test_confirming_needs_a_declaration_first(client, dossier):
    assignment = AssignmentFactory(dossier=dossier)
    client.force_login(assignment.reviewer)

    response = client.get(confirm_url(assignment))

    assert response.status_code == 302
    assert response.url.startswith(reverse("reviews:declaration"))
    assert f"next={confirm_url(assignment)}" in response.url


def test_the_confirmation_page_shows_the_pole_and_its_members_only(client, dossier):
    assignment = AssignmentFactory(dossier=dossier)
    declare(assignment.reviewer, dossier)
    client.force_login(assignment.reviewer)

    response = client.get(confirm_url(assignment))

    assert response.status_code == 200
    page = response.content.decode()
    assert dossier.name in page
    assert dossier.reference in page
    assert dossier.region.name in page
    assert "SCOP Les Ateliers" in page
    assert siret_from(502) in page
    assert [member.name for member in response.context["members"]] == [
        "Association Coop des Rives",
        "SCOP Les Ateliers",
    ]
    assert "Je n&#x27;ai aucun conflit d&#x27;intérêts" in page or "Je n'ai aucun conflit d'intérêts" in page


def test_no_conflict_gives_access_to_the_dossier(client, dossier):
    assignment = AssignmentFactory(dossier=dossier)
    declare(assignment.reviewer, dossier, siret_from(777))
    client.force_login(assignment.reviewer)

    response = client.post(confirm_url(assignment), {"decision": "no_conflict"})

    assert response.status_code == 302
    assert response.url == reverse("reviews:review", kwargs={"assignment_id": assignment.pk})  # straight to the grid
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS
    assert assignment.no_conflict_confirmed_at is not None
    assert list(Dossier.objects.visible_to(assignment.reviewer)) == [dossier]


def test_a_declared_conflict_needs_a_reason(client, dossier):
    assignment = AssignmentFactory(dossier=dossier)
    declare(assignment.reviewer, dossier)
    client.force_login(assignment.reviewer)

    response = client.post(confirm_url(assignment), {"decision": "conflict", "reason": "  "})

    assert response.context["form"].errors["reason"] == ["Indiquez la nature du conflit d'intérêts."]
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.TO_CONFIRM


def test_a_declared_conflict_removes_the_reviewer_from_the_dossier(client, dossier):
    assignment = AssignmentFactory(dossier=dossier)
    declare(assignment.reviewer, dossier)
    client.force_login(assignment.reviewer)

    client.post(confirm_url(assignment), {"decision": "conflict", "reason": "J'ai conseillé ce pôle en 2025."})

    assignment.refresh_from_db()
    assert (assignment.status, assignment.conflict_reason) == (
        AssignmentStatus.CONFLICT,
        "J'ai conseillé ce pôle en 2025.",
    )
    assert assignment.conflict_declared_at is not None
    assert list(Dossier.objects.visible_to(assignment.reviewer)) == []
    assert client.get(confirm_url(assignment)).status_code == 404


def test_a_conflict_detected_at_confirmation_is_recorded_instead(client, dossier):
    assignment = AssignmentFactory(dossier=dossier)  # assigned before the declaration
    declaration = declare(assignment.reviewer, dossier)
    DeclaredOrganisation.objects.create(declaration=declaration, name="SCOP", siret=siret_from(502))
    client.force_login(assignment.reviewer)

    client.post(confirm_url(assignment), {"decision": "no_conflict"})

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFLICT
    assert "SCOP Les Ateliers" in assignment.conflict_reason


def test_a_declared_conflict_takes_the_review_out_of_the_averages(dossier):
    GridFactory(phase=dossier.phase, phase_kind=dossier.phase.kind)  # two criteria, weights 60 and 40
    kept = AssignmentFactory(dossier=dossier, confirmed=True)
    conflicted = AssignmentFactory(dossier=dossier, confirmed=True)
    make_review(kept, [4, 4])
    make_review(conflicted, [0, 0])
    assert refresh_dossier_score(dossier).value == 50

    assignments.declare_conflict(conflicted, "Découvert en lisant le budget : mon employeur finance le pôle.")

    score = DossierScore.objects.get(dossier=dossier)
    assert (score.value, score.review_count) == (100, 1)
    assert list(Dossier.objects.visible_to(conflicted.reviewer)) == []


@pytest.mark.parametrize("who", ["other_reviewer", "porteur", "partenaire", "instructeur"])
def test_only_the_assigned_reviewer_may_confirm(client, dossier, who):
    assignment = AssignmentFactory(dossier=dossier)
    user = UserFactory(evaluateur=True) if who == "other_reviewer" else UserFactory(**{who: True})
    declare(user, dossier)
    client.force_login(user)

    assert client.get(confirm_url(assignment)).status_code == 404
    assert client.post(confirm_url(assignment), {"decision": "no_conflict"}).status_code == 404
