"""The reviewer's queue and scoring page, and the reviews panel of the staff dossier page (DESIGN §2, §7)."""

import html as htmllib
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState
from reviews.models import AssignmentStatus, DossierScore, Grid, Review, ReviewStatus
from reviews.services.evaluation import (
    ReviewIncomplete,
    ReviewInput,
    ReviewLocked,
    save_review,
)
from reviews.services.scoring import refresh_dossier_score
from reviews.views.evaluation import dossier_reviews_context
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import AttachmentFactory, DossierFactory, MemberFactory
from tests.reviews.factories import AssignmentFactory, RegionalOpinionFactory, make_review

pytestmark = pytest.mark.django_db

OTHER_COMMENT = "Appréciation de l'autre évaluatrice : gouvernance fragile."


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def text_of(response):
    """The page as a reader sees it (entities decoded)."""
    return htmllib.unescape(response.content.decode())


def criteria_of(assignment):
    return list(Grid.objects.for_phase(assignment.dossier.phase).criteria.all())


def grid_data(assignment, levels, action, recommendation="favourable", comment="Bon dossier."):
    data = {action: "", "recommendation": recommendation, "comment": comment}
    for criterion, level in zip(criteria_of(assignment), levels, strict=False):
        if level is not None:
            data[f"level_{criterion.pk}"] = str(level)
        data[f"comment_{criterion.pk}"] = f"Sur {criterion.label}"
    return data


@pytest.fixture
def reviewer():
    return UserFactory(evaluateur=True)


@pytest.fixture
def assignment(reviewer):
    return AssignmentFactory(reviewer=reviewer, confirmed=True)


def review_url(assignment):
    return reverse("reviews:review", kwargs={"assignment_id": assignment.pk})


# The queue -------------------------------------------------------------------------------------------------------


def test_queue_lists_the_reviewers_assignments_with_progress_and_action(client, reviewer):
    to_confirm = AssignmentFactory(reviewer=reviewer)
    fresh = AssignmentFactory(reviewer=reviewer, confirmed=True)
    draft = AssignmentFactory(reviewer=reviewer, confirmed=True)
    make_review(draft, [3, 3, None, None, None, None], submitted=False)
    done = AssignmentFactory(reviewer=reviewer, confirmed=True)
    make_review(done)
    conflicted = AssignmentFactory(reviewer=reviewer, status=AssignmentStatus.CONFLICT)
    someone_elses = AssignmentFactory(confirmed=True)
    client.force_login(reviewer)

    response = client.get(reverse("reviews:queue"))
    submitted = client.get(reverse("reviews:queue"), {"tab": "submitted"})

    assert response.status_code == 200
    # The default tab: what the reviewer has to do now; the submitted ones have theirs.
    rows = {row.assignment.pk: row for row in response.context["rows"]}
    assert set(rows) == {to_confirm.pk, fresh.pk, draft.pk}
    assert [row.assignment.pk for row in submitted.context["rows"]] == [done.pk]
    rows[done.pk] = submitted.context["rows"][0]
    for page in (response, submitted):
        assert conflicted.dossier.reference not in text_of(page)
        assert someone_elses.dossier.reference not in text_of(page)
    assert [(rows[a.pk].scored, rows[a.pk].criteria_count) for a in (fresh, draft, done)] == [(0, 6), (2, 6), (6, 6)]
    assert str(rows[to_confirm.pk].action[0]) == "Confirmer l'absence de conflit"
    assert rows[to_confirm.pk].action[1] == f"/instruction/affectations/{to_confirm.pk}/confirmer/"
    assert [str(rows[a.pk].action[0]) for a in (fresh, draft, done)] == ["Évaluer", "Reprendre", "Voir mon évaluation"]
    assert rows[fresh.pk].action[1] == review_url(fresh)
    assert "2 sur 6" in text_of(response)


def test_queue_shows_late_assignments_in_red(client, reviewer):
    late = AssignmentFactory(reviewer=reviewer, confirmed=True, due_at=timezone.now() - timezone.timedelta(days=1))
    on_time = AssignmentFactory(reviewer=reviewer, confirmed=True)
    client.force_login(reviewer)

    response = client.get(reverse("reviews:queue"))

    rows = {row.assignment.pk: row for row in response.context["rows"]}
    assert (rows[late.pk].late, rows[on_time.pk].late) == (True, False)
    assert text_of(response).count('fr-badge--error">En retard') == 1
    assert "fr-text-default--error" in text_of(response)


@pytest.mark.parametrize("role", ["porteur", "partenaire", "instructeur", "administrateur"])
def test_queue_is_for_reviewers_only(client, role):
    client.force_login(UserFactory(**{role: True}))

    assert client.get(reverse("reviews:queue")).status_code == 404


def test_queue_needs_a_login(client):
    response = client.get(reverse("reviews:queue"))

    assert response.status_code == 302 and "next=" in response.url


def add_assignments(reviewer, count):
    for index in range(count):
        assignment = AssignmentFactory(reviewer=reviewer, confirmed=index % 3 != 0)
        if index % 3 == 1:
            make_review(assignment, submitted=index % 2 == 0)


def test_queue_queries_do_not_grow_with_the_assignments(client, reviewer):
    client.force_login(reviewer)
    add_assignments(reviewer, 1)
    one = count_queries(client, reverse("reviews:queue"))
    add_assignments(reviewer, 2)

    assert count_queries(client, reverse("reviews:queue")) == one


# The scoring page ------------------------------------------------------------------------------------------------


def test_review_page_shows_the_dossier_read_only_beside_the_grid(client, referential, reviewer):
    dossier = DossierFactory(complete=True, state=DossierState.IN_REVIEW, submitted_at=timezone.now())
    assignment = AssignmentFactory(reviewer=reviewer, dossier=dossier, confirmed=True)
    client.force_login(reviewer)

    response = client.get(review_url(assignment))

    assert response.status_code == 200
    text = text_of(response)
    assert dossier.shared_strategy in text and "Association Coop des Rives" in text
    assert (
        reverse("applications:attachment_download", args=[dossier.reference, dossier.attachments.first().pk]) in text
    )
    for criterion in criteria_of(assignment):
        assert criterion.label in text
        assert f'name="level_{criterion.pk}"' in text and f'name="comment_{criterion.pk}"' in text
        assert f"Poids : {criterion.weight}." in text
    assert text.count('type="radio" name="level_') == 6 * 5  # the 0–4 scale of each criterion
    assert text.count('type="radio" name="recommendation"') == 3
    assert "4 — Excellent" in text and "0 — Absent" in text
    assert "Enregistrer le brouillon" in text and "Rendre l'évaluation" in text


def test_a_partial_draft_is_saved_and_the_assignment_stays_open(client, reviewer, assignment):
    client.force_login(reviewer)

    response = client.post(review_url(assignment), grid_data(assignment, [2, None], "save_draft", recommendation=""))

    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.status == ReviewStatus.DRAFT and review.total is None
    assert [score.value for score in review.scores.all()] == [2, None, None, None, None, None]
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS
    page = text_of(client.get(review_url(assignment)))
    assert "checked" in page and "Sur " in page  # the draft comes back


def test_submitting_an_incomplete_review_says_what_is_missing(client, reviewer, assignment):
    client.force_login(reviewer)

    response = client.post(review_url(assignment), grid_data(assignment, [4, 3, 2], "submit", recommendation=""))

    assert response.status_code == 200
    form = response.context["form"]
    missing = [f"level_{criterion.pk}" for criterion in criteria_of(assignment)[3:]]
    assert sorted(form.errors) == sorted([*missing, "recommendation"])
    assert text_of(response).count("Choisissez un niveau pour ce critère avant de rendre l'évaluation.") >= 3
    assert "Choisissez une recommandation" in text_of(response)
    assert not Review.objects.filter(assignment=assignment).exists()
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS


def test_submitting_computes_the_total_closes_the_assignment_and_scores_the_dossier(client, reviewer, assignment):
    client.force_login(reviewer)

    response = client.post(review_url(assignment), grid_data(assignment, [4, 4, 4, 4, 4, 0], "confirm_submit"))

    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    # Phase-1 default weights 25, 20, 15, 15, 10, 15: all excellent but the last (15) absent → 85.
    assert (review.status, review.total, review.recommendation) == (
        ReviewStatus.SUBMITTED,
        Decimal("85.00"),
        "favourable",
    )
    assert review.submitted_at is not None
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    score = DossierScore.objects.get(dossier=assignment.dossier)
    assert (score.value, score.review_count) == (Decimal("85.00"), 1)


def test_rendre_levaluation_first_shows_what_will_be_submitted_and_keeps_it_a_draft(client, reviewer, assignment):
    client.force_login(reviewer)
    data = grid_data(assignment, [4, 4, 4, 4, 4, 0], "submit", recommendation="reserved", comment="Solide.\nÀ suivre.")

    response = client.post(review_url(assignment), data)

    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "reviews/evaluation/review_confirm.html"
    page = " ".join(text_of(response).split())
    assert "Note : 85,00 / 100" in page
    assert "Favorable avec réserves" in page
    assert [(row.criterion.weight, row.level_label) for row in response.context["scores"]] == [
        (25, "4 — Excellent"),
        (20, "4 — Excellent"),
        (15, "4 — Excellent"),
        (15, "4 — Excellent"),
        (10, "4 — Excellent"),
        (15, "0 — Absent"),
    ]
    assert f"Sur {criteria_of(assignment)[0].label}" in page  # the comments on each criterion
    assert 'name="confirm_submit"' in response.content.decode()
    review = Review.objects.get(assignment=assignment)
    assert (review.status, review.total, review.recommendation, review.comment) == (
        ReviewStatus.DRAFT,
        None,
        "reserved",
        "Solide.\nÀ suivre.",
    )
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS


def test_the_confirmation_page_posts_back_exactly_what_it_shows(client, reviewer, assignment):
    client.force_login(reviewer)
    shown = client.post(review_url(assignment), grid_data(assignment, [3, 2, 1, 0, 4, 3], "submit"))
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', shown.content.decode()))
    hidden.pop("csrfmiddlewaretoken", None)

    response = client.post(review_url(assignment), {**hidden, "confirm_submit": ""})

    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert (review.status, review.total) == (ReviewStatus.SUBMITTED, shown.context["total"])
    assert sorted(score.value for score in review.scores.all()) == [0, 1, 2, 3, 3, 4]


def test_the_confirmation_step_still_refuses_an_incomplete_review(client, reviewer, assignment):
    client.force_login(reviewer)

    response = client.post(review_url(assignment), grid_data(assignment, [4, 4, None], "submit"))

    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "reviews/evaluation/review.html"
    assert "Choisissez un niveau pour ce critère avant de rendre l'évaluation." in text_of(response)


def test_a_submitted_review_is_read_only(client, reviewer, assignment):
    make_review(assignment, [1, 1, 1, 1, 1, 1])
    client.force_login(reviewer)

    page = client.get(review_url(assignment))
    again = client.post(review_url(assignment), grid_data(assignment, [4] * 6, "submit"), follow=True)

    assert page.status_code == 200 and page.context["form"] is None
    assert "Rendre l'évaluation" not in text_of(page) and "25,00 / 100" in text_of(page)
    # A second submit (another tab, a double click) is told it was done, not refused with a 403.
    assert again.redirect_chain == [(review_url(assignment), 302)]
    assert "Action déjà effectuée : cette évaluation n'est plus modifiable." in text_of(again)
    assert Review.objects.get(assignment=assignment).total == Decimal("25.00")


def test_other_reviews_are_visible_only_after_submitting_ones_own(client, reviewer, assignment):
    other = make_review(AssignmentFactory(dossier=assignment.dossier, confirmed=True), [4] * 6)
    other.comment = OTHER_COMMENT
    other.save()
    refresh_dossier_score(assignment.dossier)
    client.force_login(reviewer)

    before = client.get(review_url(assignment))
    client.post(
        review_url(assignment), grid_data(assignment, [0] * 6, "confirm_submit", recommendation="unfavourable")
    )
    after = client.get(review_url(assignment))

    assert OTHER_COMMENT not in text_of(before) and "100,00" not in text_of(before)
    assert before.context["others"] == []
    assert OTHER_COMMENT in text_of(after) and "100,00 / 100" in text_of(after)
    assert "Évaluations discordantes" in text_of(after)  # 100 and 0
    assert other.assignment.reviewer.get_full_name() not in text_of(after)  # the other reviewers stay anonymous


def test_a_conflicted_review_is_not_shown_to_other_reviewers(client, reviewer, assignment):
    removed = make_review(AssignmentFactory(dossier=assignment.dossier, confirmed=True), [4] * 6)
    removed.comment = OTHER_COMMENT
    removed.save()
    removed.assignment.status = AssignmentStatus.CONFLICT
    removed.assignment.save()
    make_review(assignment)
    client.force_login(reviewer)

    response = client.get(review_url(assignment))

    assert OTHER_COMMENT not in text_of(response)
    assert response.context["others"] == []


def test_an_unconfirmed_assignment_leads_to_the_conflict_confirmation(client, reviewer):
    assignment = AssignmentFactory(reviewer=reviewer)
    client.force_login(reviewer)

    response = client.get(review_url(assignment))

    assert response.status_code == 302
    assert response.url == f"/instruction/affectations/{assignment.pk}/confirmer/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_conflicted_assignment_answers_404(client, reviewer, method):
    assignment = AssignmentFactory(reviewer=reviewer, status=AssignmentStatus.CONFLICT)
    client.force_login(reviewer)

    assert getattr(client, method)(review_url(assignment)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "visitor", [{"evaluateur": True}, {"porteur": True}, {"instructeur": True}, {"partenaire": True}]
)
def test_only_the_assigned_reviewer_reaches_the_scoring_page(client, assignment, method, visitor):
    user = UserFactory(**visitor)
    if visitor.get("partenaire"):
        user.regions.set([RegionFactory()])
    client.force_login(user)

    assert getattr(client, method)(review_url(assignment)).status_code == 404


def test_the_dossier_owner_cannot_reach_the_scoring_page(client, assignment):
    client.force_login(assignment.dossier.owner)

    assert client.get(review_url(assignment)).status_code == 404


def add_submitted_reviews(dossier, count):
    for _index in range(count):
        make_review(AssignmentFactory(dossier=dossier, confirmed=True), [2] * 6)
    refresh_dossier_score(dossier)


def test_review_page_queries_do_not_grow_with_the_other_reviews_and_members(client, reviewer, assignment):
    make_review(assignment)
    client.force_login(reviewer)
    add_submitted_reviews(assignment.dossier, 1)
    MemberFactory(dossier=assignment.dossier)
    one = count_queries(client, review_url(assignment))
    add_submitted_reviews(assignment.dossier, 2)
    MemberFactory.create_batch(2, dossier=assignment.dossier)

    assert count_queries(client, review_url(assignment)) == one
    assert len(client.get(review_url(assignment)).context["others"]) == 3


@pytest.mark.parametrize(
    ("other_levels", "expected"),
    [
        ([], "Note du dossier : 100,00 / 100 (une seule évaluation rendue)."),
        ([[1] * 6], "Note du dossier : 62,50 / 100 (2 évaluations rendues, écart 75 points)."),
    ],
)
def test_the_reviewer_reads_the_number_of_reviews_in_the_singular_or_plural(
    client, reviewer, assignment, other_levels, expected
):
    make_review(assignment, [4] * 6)
    for levels in other_levels:
        make_review(AssignmentFactory(dossier=assignment.dossier, confirmed=True), levels)
    refresh_dossier_score(assignment.dossier)
    client.force_login(reviewer)

    page = " ".join(text_of(client.get(review_url(assignment))).split())

    assert expected in page
    assert "1 évaluations" not in page


# The panel of the staff dossier page -----------------------------------------------------------------------------


@pytest.fixture
def reviewed(db):
    """An eligible dossier of Auvergne-Rhône-Alpes with two submitted reviews (100 and 25), a draft and an opinion."""
    region = RegionFactory()
    dossier = DossierFactory(region=region, state=DossierState.ELIGIBLE, submitted_at=timezone.now())
    first = make_review(AssignmentFactory(dossier=dossier, confirmed=True), [4] * 6)
    first.comment = OTHER_COMMENT
    first.save()
    make_review(AssignmentFactory(dossier=dossier, confirmed=True), [1] * 6, recommendation="unfavourable")
    make_review(AssignmentFactory(dossier=dossier, confirmed=True), [0] * 6, submitted=False)
    refresh_dossier_score(dossier)
    RegionalOpinionFactory(dossier=dossier, text="La CRESS soutient ce pôle.")
    return dossier


def render_panel(dossier, user):
    context = dossier_reviews_context(dossier, user)
    return context["evaluation_panel"], htmllib.unescape(
        render_to_string("reviews/evaluation/_dossier_panel.html", context)
    )


def test_instructeurs_see_every_review_in_full(reviewed):
    panel, html = render_panel(reviewed, UserFactory(instructeur=True))

    assert panel.full and len(panel.reviews) == 3
    first_reviewer = reviewed.reviews.order_by("pk").first().assignment.reviewer
    assert first_reviewer.get_full_name() in html
    assert OTHER_COMMENT in html and "notes par critère" in html and "(poids 25)" in html
    assert "Note du dossier : 62,50 / 100" in html
    assert "Évaluations discordantes" in html
    assert "La CRESS soutient ce pôle." in html and "Rang 1" in html
    assert "Brouillon" in html


def test_regional_partners_see_the_score_totals_and_recommendations_only(reviewed):
    partner = UserFactory(partenaire=True, regions=[reviewed.region])

    panel, html = render_panel(reviewed, partner)

    assert not panel.full
    assert [view.review.total for view in panel.reviews] == [Decimal("100.00"), Decimal("25.00")]  # no draft
    assert "Note du dossier : 62,50 / 100" in html and "Défavorable" in html
    assert OTHER_COMMENT not in html and "notes par critère" not in html and "(poids" not in html
    assert all(view.review.assignment.reviewer.get_full_name() not in html for view in panel.reviews)
    assert "La CRESS soutient ce pôle." in html
    assert reverse("reviews:regional_opinion", args=[reviewed.reference]) in html


@pytest.mark.parametrize("visitor", [{"evaluateur": True}, {"porteur": True}, {"partenaire": True}])
def test_no_panel_for_others(reviewed, visitor):
    user = UserFactory(**visitor)
    if visitor.get("partenaire"):
        user.regions.set([RegionFactory(code="53", name="Bretagne")])

    panel, html = render_panel(reviewed, user)

    assert panel is None and html.strip() == ""


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([[4] * 6], "Une seule évaluation rendue."),
        ([[4] * 6, [1] * 6], "Moyenne de 2 évaluations rendues ; écart 75 points."),
    ],
)
def test_the_panel_counts_reviews_in_the_singular_or_plural(db, levels, expected):
    dossier = DossierFactory(state=DossierState.ELIGIBLE, submitted_at=timezone.now())
    for one in levels:
        make_review(AssignmentFactory(dossier=dossier, confirmed=True), one)
    refresh_dossier_score(dossier)

    _panel, html = render_panel(dossier, UserFactory(instructeur=True))

    assert expected in " ".join(html.split())
    assert "1 évaluations" not in html


def test_the_discordance_threshold_of_one_point_is_in_the_singular(reviewed):
    grid = Grid.objects.for_phase(reviewed.phase)
    grid.discordance_threshold = 1
    grid.save()

    _panel, html = render_panel(reviewed, UserFactory(instructeur=True))

    assert "Les notes s'écartent de plus de 1 point." in html


def test_the_priority_flag_is_shown_beside_the_score(reviewed):
    reviewed.territory_type, reviewed.includes_qpv = "rural", True

    _panel, html = render_panel(reviewed, UserFactory(instructeur=True))

    assert "Priorité (hors note)" in html and "Territoire rural" in html and "Quartier prioritaire" in html
    assert "Note du dossier : 62,50 / 100" in html


@pytest.mark.parametrize("role", [{"instructeur": True}, "partner"])
def test_panel_queries_do_not_grow_with_the_reviews(db, role):
    region = RegionFactory()
    user = UserFactory(partenaire=True, regions=[region]) if role == "partner" else UserFactory(**role)
    dossier = DossierFactory(region=region, state=DossierState.ELIGIBLE, submitted_at=timezone.now())
    add_submitted_reviews(dossier, 1)
    with CaptureQueriesContext(connection) as one:
        render_panel(dossier, user)
    add_submitted_reviews(dossier, 2)
    with CaptureQueriesContext(connection) as three:
        _panel, html = render_panel(dossier, user)

    assert len(three) == len(one)
    assert html.count("50,00") == 4  # three reviews and the dossier's score


def test_the_reviewer_downloads_the_dossiers_attachments(client, reviewer):
    dossier = DossierFactory(state=DossierState.IN_REVIEW, submitted_at=timezone.now())
    attachment = AttachmentFactory(dossier=dossier)
    assignment = AssignmentFactory(reviewer=reviewer, dossier=dossier, confirmed=True)
    client.force_login(reviewer)

    page = client.get(review_url(assignment))
    link = reverse("applications:attachment_download", args=[dossier.reference, attachment.pk])
    response = client.get(link)

    assert link in text_of(page)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# The service behind the page ---------------------------------------------------------------------------------------


def test_save_review_refuses_an_assignment_no_longer_in_progress(assignment):
    make_review(assignment)
    data = ReviewInput(levels={}, comments={}, recommendation="favourable")

    with pytest.raises(ReviewLocked):
        save_review(assignment, data, submit=True)


def test_save_review_refuses_an_incomplete_submission_and_saves_nothing(assignment):
    first = criteria_of(assignment)[0]
    data = ReviewInput(levels={first.pk: 4}, comments={}, recommendation="")

    with pytest.raises(ReviewIncomplete) as refused:
        save_review(assignment, data, submit=True)

    assert len(refused.value.missing_criteria) == 5 and refused.value.missing_recommendation
    assert not Review.objects.exists()


def test_a_draft_then_a_submission_update_the_same_scores(assignment):
    criteria = criteria_of(assignment)
    save_review(assignment, ReviewInput(levels={criteria[0].pk: 1}, comments={criteria[0].pk: "Faible."}))
    levels = {criterion.pk: 4 for criterion in criteria}

    review = save_review(assignment, ReviewInput(levels=levels, comments={}, recommendation="favourable"), submit=True)

    assert review.scores.count() == 6 and set(review.scores.values_list("value", flat=True)) == {4}
    assert (review.total, assignment.status) == (Decimal("100.00"), AssignmentStatus.SUBMITTED)


def test_without_any_grid_for_the_phase_the_reviewer_is_told_and_sent_back_to_the_queue(client, assignment):
    Grid.objects.all().delete()  # staff deleted the default grids in the admin
    client.force_login(assignment.reviewer)

    response = client.get(review_url(assignment), follow=True)

    assert response.redirect_chain == [(reverse("reviews:queue"), 302)]
    assert "La grille d'évaluation de cette phase n'est pas encore définie" in text_of(response)
