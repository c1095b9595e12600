"""Staff assign reviewers: from a dossier (the panel of the staff dossier page), from a reviewer, for a selection
and automatically (preview, then apply). Conflicts of interest block an assignment; every page is for
instructeurs only (404 otherwise)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState
from ptce_ami.core.models import OutboundEmail
from reviews.models import Assignment, AssignmentStatus
from reviews.services import assignments as service
from reviews.views import assignments as assignment_views
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, MemberFactory, PhaseFactory, siret_from
from tests.reviews.factories import AssignmentFactory, DeclarationFactory

pytestmark = pytest.mark.django_db

TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def instructeur():
    return UserFactory(instructeur=True)


@pytest.fixture
def phase():
    return PhaseFactory()


def in_review(phase, **kwargs):
    dossier = DossierFactory(phase=phase, submitted=True, state=DossierState.IN_REVIEW, **kwargs)
    MemberFactory(
        dossier=dossier,
        lead=True,
        name="Association Coop des Rives",
        siret=siret_from(hash(dossier.pk) % 10**6 + 1000),
    )
    return dossier


def reviewer_with_declaration(phase, *sirets, **kwargs):
    reviewer = UserFactory(evaluateur=True, **kwargs)
    DeclarationFactory(reviewer=reviewer, edition=phase.edition, sirets=list(sirets))
    return reviewer


# Permissions of every staff page -------------------------------------------------------------------------------


def staff_urls(dossier, reviewer, assignment):
    return [
        ("get", reverse("reviews:dossier_assignments", args=[dossier.reference])),
        ("post", reverse("reviews:dossier_assign", args=[dossier.reference])),
        ("post", reverse("reviews:assignment_remove", args=[assignment.pk])),
        ("get", reverse("reviews:reviewers")),
        ("get", reverse("reviews:reviewer_assignments", args=[reviewer.pk])),
        ("get", reverse("reviews:assign_batch") + f"?dossier={dossier.pk}"),
        ("get", reverse("reviews:assign_auto")),
    ]


@pytest.mark.parametrize("role", ["porteur", "evaluateur", "partenaire"])
def test_staff_pages_answer_404_to_other_roles(client, phase, role):
    dossier = in_review(phase, region=RegionFactory())
    assignment = AssignmentFactory(dossier=dossier, confirmed=True)
    user = assignment.reviewer if role == "evaluateur" else UserFactory(**{role: True}, regions=[dossier.region])
    if role == "porteur":
        dossier.owner = user
        dossier.save()
    client.force_login(user)

    for method, url in staff_urls(dossier, assignment.reviewer, assignment):
        assert getattr(client, method)(url).status_code == 404, url
    assert Assignment.objects.count() == 1


def test_staff_pages_are_open_to_instructeurs(client, phase, instructeur):
    dossier = in_review(phase)
    assignment = AssignmentFactory(dossier=dossier, confirmed=True)
    client.force_login(instructeur)

    for method, url in staff_urls(dossier, assignment.reviewer, assignment):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_anonymous_users_are_sent_to_the_login_page(client, phase):
    dossier = in_review(phase)

    response = client.get(reverse("reviews:dossier_assignments", args=[dossier.reference]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# From a dossier ------------------------------------------------------------------------------------------------


def test_instructeur_assigns_a_reviewer_from_the_dossier_who_is_told_by_email(
    client, phase, instructeur, django_capture_on_commit_callbacks, mailoutbox
):
    dossier = in_review(phase)
    reviewer = UserFactory(evaluateur=True, first_name="Inès", last_name="Roux")
    client.force_login(instructeur)
    back = reverse("reviews:dossier", args=[dossier.reference])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:dossier_assign", args=[dossier.reference]),
            {"assign-reviewer": reviewer.pk, "assign-due_on": TOMORROW, "next": back},
        )

    assert response.status_code == 302
    assert response.url == back
    assignment = Assignment.objects.get()
    assert (assignment.dossier, assignment.reviewer, assignment.assigned_by) == (dossier, reviewer, instructeur)
    assert assignment.status == AssignmentStatus.TO_CONFIRM
    assert timezone.localtime(assignment.due_at).strftime("%H:%M") == "23:59"
    [email] = mailoutbox
    assert email.to == [reviewer.email]
    assert email.subject == "AMI PTCE — Un dossier vous est confié pour évaluation"
    assert dossier.reference in email.body
    assert "/instruction/evaluations/" in email.body
    assert "Bonjour Inès Roux," in email.body


def test_an_assignment_with_a_detected_conflict_is_blocked_naming_the_structure(client, phase, instructeur):
    dossier = in_review(phase)
    MemberFactory(dossier=dossier, name="SCOP Les Ateliers", siret=siret_from(4242))
    reviewer = reviewer_with_declaration(phase, siret_from(4242))
    client.force_login(instructeur)

    response = client.post(
        reverse("reviews:dossier_assign", args=[dossier.reference]), {"assign-reviewer": reviewer.pk}, follow=True
    )

    assert not Assignment.objects.exists()
    [message] = [str(message) for message in response.context["messages"]]
    assert "conflit d'intérêts détecté" in message
    assert "SCOP Les Ateliers" in message


def test_a_reviewer_is_assigned_only_once(phase, instructeur):
    assignment = AssignmentFactory(dossier=in_review(phase))

    with pytest.raises(service.AssignmentRefused, match="déjà affecté"):
        service.assign(assignment.dossier, assignment.reviewer, by=instructeur)


def test_a_past_due_date_is_refused(client, phase, instructeur):
    dossier = in_review(phase)
    client.force_login(instructeur)

    response = client.post(
        reverse("reviews:dossier_assign", args=[dossier.reference]),
        {"assign-reviewer": UserFactory(evaluateur=True).pk, "assign-due_on": "2020-01-01"},
    )

    assert response.status_code == 200
    assert response.context["assignments_panel"]["form"].errors["due_on"] == [
        "La date d'échéance ne peut pas être passée."
    ]
    assert not Assignment.objects.exists()


def test_the_panel_shows_assignments_conflicts_and_warnings(client, phase, instructeur):
    region = RegionFactory()
    dossier = in_review(phase, region=region)
    warned = reviewer_with_declaration(phase)
    warned.declarations.get().regions.add(region)
    AssignmentFactory(dossier=dossier, reviewer=warned)
    AssignmentFactory(
        dossier=dossier, status=AssignmentStatus.CONFLICT, conflict_reason="Mon frère préside l'association."
    )
    client.force_login(instructeur)

    response = client.get(reverse("reviews:dossier_assignments", args=[dossier.reference]))

    page = response.content.decode()
    assert "Mon frère préside l&#x27;association." in page
    assert "Même région" in page
    panel = response.context["assignments_panel"]
    assert [a.removable for a in panel["assignments"]] == [True, False]
    assert panel["conflict_count"] == 1


def test_the_panel_is_empty_for_a_regional_partner(phase):
    dossier = in_review(phase, region=RegionFactory())

    context = assignment_views.dossier_panel_context(dossier, UserFactory(partenaire=True, regions=[dossier.region]))

    assert context == {"assignments_panel": None}


def test_the_panel_costs_constant_queries(phase, instructeur):
    def count(n):
        dossier = in_review(phase)
        for _ in range(n):
            AssignmentFactory(dossier=dossier)
        with CaptureQueriesContext(connection) as queries:
            context = assignment_views.dossier_panel_context(dossier, instructeur)
            list(context["assignments_panel"]["form"]["reviewer"])  # the choices are read when rendered
        return len(queries)

    assert count(1) == count(3)


def test_instructeur_removes_an_assignment_not_yet_submitted(client, phase, instructeur):
    assignment = AssignmentFactory(dossier=in_review(phase), confirmed=True)
    client.force_login(instructeur)

    response = client.post(reverse("reviews:assignment_remove", args=[assignment.pk]))

    assert response.status_code == 302
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("status", [AssignmentStatus.SUBMITTED, AssignmentStatus.CONFLICT])
def test_a_submitted_or_conflict_assignment_stays(client, phase, instructeur, status):
    assignment = AssignmentFactory(dossier=in_review(phase), status=status)
    client.force_login(instructeur)

    client.post(reverse("reviews:assignment_remove", args=[assignment.pk]))

    assert Assignment.objects.filter(pk=assignment.pk).exists()


# From a reviewer -----------------------------------------------------------------------------------------------


def test_instructeur_assigns_dossiers_from_a_reviewer_page(client, phase, instructeur):
    reviewer = UserFactory(evaluateur=True)
    dossiers = [in_review(phase) for _ in range(2)]
    client.force_login(instructeur)
    url = reverse("reviews:reviewer_assignments", args=[reviewer.pk])

    response = client.post(url, {"dossiers": [dossier.pk for dossier in dossiers], "due_on": TOMORROW})

    assert response.status_code == 302
    assert set(reviewer.assignments.values_list("dossier", flat=True)) == {dossier.pk for dossier in dossiers}
    assert client.get(url).context["pending_count"] == 2


def test_the_reviewer_page_costs_constant_queries(client, phase, instructeur):
    def count(n):
        reviewer = UserFactory(evaluateur=True)
        DeclarationFactory(reviewer=reviewer, edition=phase.edition, sirets=[siret_from(9000 + n)])
        for _ in range(n):
            AssignmentFactory(reviewer=reviewer, dossier=in_review(phase))
            in_review(phase)  # one more dossier to offer
        client.force_login(instructeur)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reviews:reviewer_assignments", args=[reviewer.pk]))
        assert response.status_code == 200
        assert len(response.context["assignments"]) == n
        return len(queries)

    assert count(1) == count(3)


# For a selection -----------------------------------------------------------------------------------------------


def test_batch_assignment_creates_every_pair_but_the_conflicted_one(client, phase, instructeur):
    dossiers = [in_review(phase) for _ in range(2)]
    MemberFactory(dossier=dossiers[1], name="Régie de quartier", siret=siret_from(7777))
    clean = UserFactory(evaluateur=True)
    conflicted = reviewer_with_declaration(phase, siret_from(7777))
    client.force_login(instructeur)
    url = reverse("reviews:assign_batch")

    page = client.get(url, {"dossier": [dossier.pk for dossier in dossiers]})
    assert list(page.context["dossiers"]) == dossiers
    response = client.post(
        url,
        {"dossier": [dossier.pk for dossier in dossiers], "reviewers": [clean.pk, conflicted.pk], "due_on": TOMORROW},
        follow=True,
    )

    pairs = set(Assignment.objects.values_list("dossier", "reviewer"))
    assert pairs == {(dossiers[0].pk, clean.pk), (dossiers[1].pk, clean.pk), (dossiers[0].pk, conflicted.pk)}
    assert len({a.batch for a in Assignment.objects.all()}) == 1
    messages = [str(message) for message in response.context["messages"]]
    assert any("Régie de quartier" in message for message in messages)


def test_batch_ignores_dossiers_not_assignable(client, phase, instructeur):
    draft = DossierFactory(phase=phase)
    client.force_login(instructeur)

    response = client.get(reverse("reviews:assign_batch"), {"dossier": [draft.pk]})

    assert list(response.context["dossiers"]) == []


# Automatically -------------------------------------------------------------------------------------------------


def auto_params(phase, **extra):
    return {"phase": phase.pk, "per_dossier": 2, "cap": 2, "due_on": TOMORROW, **extra}


def test_automatic_assignment_previews_then_applies(client, phase, instructeur, django_capture_on_commit_callbacks):
    dossiers = [in_review(phase) for _ in range(3)]
    MemberFactory(dossier=dossiers[0], name="SCOP du Lac", siret=siret_from(8888))
    reviewers = [reviewer_with_declaration(phase) for _ in range(2)]
    reviewers.append(reviewer_with_declaration(phase, siret_from(8888)))
    UserFactory(evaluateur=True)  # no declaration: never proposed
    client.force_login(instructeur)
    url = reverse("reviews:assign_auto")

    response = client.get(url, auto_params(phase))

    preview = response.context["preview"]
    assert not Assignment.objects.exists()
    proposed = {tuple(map(int, pair.split(":"))) for pair in preview["pairs"]}
    assert (dossiers[0].pk, reviewers[2].pk) not in proposed
    assert len(proposed) == 6  # 3 reviewers × cap 2: every dossier gets its 2 reviewers
    assert {load["reviewer"].pk: load["after"] for load in preview["loads"]} == {r.pk: 2 for r in reviewers}
    assert preview["shortfall_count"] == 0

    data = {**auto_params(phase), "pair": preview["pairs"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    assert set(Assignment.objects.values_list("dossier", "reviewer")) == proposed
    assert Assignment.objects.values("batch").distinct().count() == 1
    assert OutboundEmail.objects.filter(template="reviews/email/assignment_notice").count() == 3


def test_the_preview_explains_a_dossier_short_of_reviewers(client, phase, instructeur):
    dossier = in_review(phase)
    MemberFactory(dossier=dossier, name="SCOP du Lac", siret=siret_from(8888))
    reviewer_with_declaration(phase, siret_from(8888))
    reviewer_with_declaration(phase)
    client.force_login(instructeur)

    response = client.get(reverse("reviews:assign_auto"), auto_params(phase))

    [row] = response.context["preview"]["rows"]
    assert (
        row["shortfall"]
        == "Évaluateurs proposés : 1 sur 2 nécessaires ; 1 en conflit d'intérêts ; plus aucun évaluateur disponible."
    )


def test_apply_checks_conflicts_and_cap_again(client, phase, instructeur):
    dossiers = [in_review(phase) for _ in range(2)]
    reviewer = reviewer_with_declaration(phase)
    client.force_login(instructeur)
    url = reverse("reviews:assign_auto")
    pairs = client.get(url, auto_params(phase, per_dossier=1))
    pairs = pairs.context["preview"]["pairs"]
    assert len(pairs) == 2
    # Meanwhile the reviewer declares an organisation member of the first dossier; the cap is lowered to 1.
    MemberFactory(dossier=dossiers[0], name="SCOP du Lac", siret=siret_from(8888))
    reviewer.declarations.get().organisations.create(name="SCOP du Lac", siret=siret_from(8888))

    response = client.post(url, {**auto_params(phase, per_dossier=1, cap=1), "pair": pairs}, follow=True)

    assert list(Assignment.objects.values_list("dossier", flat=True)) == [dossiers[1].pk]
    messages = " ".join(str(message) for message in response.context["messages"])
    assert "SCOP du Lac" in messages


def test_automatic_assignment_takes_only_the_selection_and_the_reviewing_states(client, phase, instructeur):
    selected, other = in_review(phase), in_review(phase)
    DossierFactory(phase=phase, submitted=True)  # submitted, not under review: left out
    reviewer_with_declaration(phase)
    client.force_login(instructeur)

    everything = client.get(reverse("reviews:assign_auto"), auto_params(phase)).context["preview"]
    selection = client.get(reverse("reviews:assign_auto"), auto_params(phase, dossier=[selected.pk])).context[
        "preview"
    ]

    assert [row["dossier"] for row in everything["rows"]] == sorted([selected, other], key=lambda d: d.reference)
    assert [row["dossier"] for row in selection["rows"]] == [selected]


@pytest.mark.parametrize("value", ["²", "٣", "12a", "99999999999999999999"])
def test_odd_ids_in_a_selection_are_dropped_never_a_server_error(client, value):
    client.force_login(UserFactory(instructeur=True))

    for url in (reverse("reviews:assign_batch"), reverse("reviews:assign_auto")):
        assert client.get(url, {"dossier": value}).status_code == 200
    batch = client.post(reverse("reviews:dossier_batch"), {"dossier": value, "action": "start_review"})
    assert batch.status_code in (200, 302)
