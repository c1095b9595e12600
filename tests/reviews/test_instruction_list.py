"""The staff dossier list (/instruction/): who sees what, every filter, sort, counters, saved filters, batch
actions and a constant number of queries."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState, MemberCategory, RuleStatus
from applications.models import EligibilityResult, EligibilityRun, Label, Sector
from applications.services.dossiers import apply_values
from reviews.models import DossierScore, SavedFilter
from reviews.services import selection as filters
from reviews.services.scoring import refresh_dossier_score
from territories.models import Commune, Departement, Region
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, MemberFactory, PhaseFactory, siret_from
from tests.reviews.factories import AssignmentFactory, make_review

LIST_URL = "/instruction/"


def region(code):
    return Region.objects.get(code=code)


def corsican_dossier(**kwargs):
    """A submitted dossier whose territory lies in Corse: its region is derived from its communes."""
    dossier = DossierFactory(submitted=True, **kwargs)
    apply_values(dossier, {"communes": [Commune.objects.get(code="2A004")]})
    dossier.save()
    return dossier


def references(response):
    return sorted(row.dossier.reference for row in response.context["rows"])


def add_run(dossier, *statuses, overrides=None):
    run = EligibilityRun.objects.create(
        dossier=dossier, key=f"k-{dossier.pk}-{timezone.now().timestamp()}", trigger="on_demand"
    )
    for number, status in enumerate(statuses, start=1):
        EligibilityResult.objects.create(
            run=run,
            rule_id=f"R{number}",
            title=f"Règle {number}",
            status=status,
            explanation="…",
            legal_basis="Décret 2015-431",
            override_status=(overrides or {}).get(number, ""),
        )
    return run


@pytest.fixture
def instructeur(db):
    return UserFactory(instructeur=True)


@pytest.fixture
def partner(referential):
    return UserFactory(partenaire=True, regions=[region("84")])


@pytest.fixture
def lyon_dossier(referential):
    return DossierFactory(complete=True, submitted=True)


# Who sees the list ------------------------------------------------------------------------------------------


def test_list_url():
    assert reverse("reviews:dossier_list") == LIST_URL


@pytest.mark.parametrize("role", ["evaluateur", "porteur"])
def test_list_is_not_found_for_reviewers_and_porteurs(client, db, role):
    client.force_login(UserFactory(**{role: True}))
    assert client.get(LIST_URL).status_code == 404


def test_list_sends_anonymous_users_to_login(client, db):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert "/compte/" in response["Location"]


def test_instructeur_sees_every_submitted_dossier_but_no_draft(client, instructeur, lyon_dossier):
    corsican = corsican_dossier()
    DossierFactory()  # a draft
    client.force_login(instructeur)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert references(response) == sorted([lyon_dossier.reference, corsican.reference])


def test_administrateur_sees_the_list(client, lyon_dossier):
    client.force_login(UserFactory(administrateur=True))
    assert references(client.get(LIST_URL)) == [lyon_dossier.reference]


def test_routing_a_dossier_reaches_the_cell_of_its_territory_region(client, referential):
    """The region comes from the territory (Ajaccio → Corse): Corse's partner sees it, not Auvergne-Rhône-Alpes'."""
    dossier = corsican_dossier()
    assert dossier.region_id == "94"
    client.force_login(UserFactory(partenaire=True, regions=[region("94")]))
    assert references(client.get(LIST_URL)) == [dossier.reference]
    client.force_login(UserFactory(partenaire=True, regions=[region("84")]))
    assert references(client.get(LIST_URL)) == []


def test_partner_region_filter_offers_their_regions_only(client, partner, lyon_dossier):
    client.force_login(partner)
    response = client.get(LIST_URL)
    assert [r.pk for r in response.context["filterset"].form.fields["region"].queryset] == ["84"]
    # Asking for another region's dossiers shows nothing of it.
    corsican_dossier()
    assert references(client.get(LIST_URL, {"region": "94"})) == [lyon_dossier.reference]


# Filters ------------------------------------------------------------------------------------------------------


def test_filter_by_edition_and_phase(client, instructeur, referential):
    old = DossierFactory(submitted=True, phase=PhaseFactory(edition=EditionFactory(year=2023)))
    new = DossierFactory(submitted=True, phase=PhaseFactory(kind="phase2"))
    client.force_login(instructeur)
    assert references(client.get(LIST_URL, {"edition": old.phase.edition_id})) == [old.reference]
    assert references(client.get(LIST_URL, {"phase": "phase2"})) == [new.reference]


def test_filter_by_several_states_at_once(client, instructeur, db):
    submitted = DossierFactory(submitted=True)
    in_review = DossierFactory(submitted=True, state=DossierState.IN_REVIEW)
    DossierFactory(submitted=True, state=DossierState.ELIGIBLE)
    client.force_login(instructeur)
    response = client.get(LIST_URL, {"state": ["submitted", "in_review"]})
    assert references(response) == sorted([submitted.reference, in_review.reference])


def test_filter_by_region(client, instructeur, lyon_dossier):
    corsican = corsican_dossier()
    client.force_login(instructeur)
    assert references(client.get(LIST_URL, {"region": "94"})) == [corsican.reference]


def test_filter_by_departement_of_territory_or_members(client, instructeur, lyon_dossier):
    corsican = corsican_dossier()
    by_member = DossierFactory(submitted=True)
    MemberFactory(dossier=by_member, commune=Commune.objects.get(code="42218"))  # Saint-Étienne, Loire
    by_departement = DossierFactory(submitted=True)
    by_departement.departements.add(Departement.objects.get(code="42"))
    client.force_login(instructeur)
    assert references(client.get(LIST_URL, {"departement": "69"})) == [lyon_dossier.reference]
    assert references(client.get(LIST_URL, {"departement": "2A"})) == [corsican.reference]
    assert references(client.get(LIST_URL, {"departement": "42"})) == sorted(
        [by_member.reference, by_departement.reference]
    )


def test_filter_by_member_categories(client, instructeur, lyon_dossier):
    research = DossierFactory(submitted=True)
    MemberFactory(dossier=research, category=MemberCategory.RESEARCH, ess_legal_form="")
    client.force_login(instructeur)
    assert references(client.get(LIST_URL, {"category": ["research"]})) == [research.reference]
    both = client.get(LIST_URL, {"category": ["research", "collectivite"]})
    assert references(both) == sorted([research.reference, lyon_dossier.reference])


def test_filter_by_sector(client, instructeur, lyon_dossier):
    other = DossierFactory(submitted=True)
    other.sectors.add(Sector.objects.create(code="numerique-test", label="Numérique"))
    client.force_login(instructeur)
    sector = Sector.objects.get(code="economie-circulaire")
    assert references(client.get(LIST_URL, {"sector": sector.pk})) == [lyon_dossier.reference]


def test_filter_by_eligibility_of_the_latest_run_with_overrides(client, instructeur, db):
    passing = DossierFactory(submitted=True)
    add_run(passing, RuleStatus.FAIL)  # an older run that failed
    add_run(passing, RuleStatus.PASS, RuleStatus.NOT_APPLICABLE)
    warning = DossierFactory(submitted=True)
    add_run(warning, RuleStatus.PASS, RuleStatus.WARNING)
    failing = DossierFactory(submitted=True)
    add_run(failing, RuleStatus.FAIL, RuleStatus.WARNING)
    overridden = DossierFactory(submitted=True)
    add_run(overridden, RuleStatus.FAIL, overrides={1: RuleStatus.PASS})
    never = DossierFactory(submitted=True)
    client.force_login(instructeur)
    assert references(client.get(LIST_URL, {"eligibility": "pass"})) == sorted(
        [passing.reference, overridden.reference]
    )
    assert references(client.get(LIST_URL, {"eligibility": "warning"})) == [warning.reference]
    assert references(client.get(LIST_URL, {"eligibility": "fail"})) == [failing.reference]
    assert references(client.get(LIST_URL, {"eligibility": "none"})) == [never.reference]


def test_filter_by_score_range(client, instructeur, db):
    low, high = DossierFactory(submitted=True), DossierFactory(submitted=True)
    DossierFactory(submitted=True)  # no score yet
    DossierScore.objects.create(dossier=low, value=40, review_count=2)
    DossierScore.objects.create(dossier=high, value=85, review_count=2)
    client.force_login(instructeur)
    assert references(client.get(LIST_URL, {"score_min": 50})) == [high.reference]
    assert references(client.get(LIST_URL, {"score_max": 50})) == [low.reference]
    assert references(client.get(LIST_URL, {"score_min": 30, "score_max": 90})) == sorted(
        [low.reference, high.reference]
    )


def test_filter_by_assigned_reviewer_ignores_conflicts(client, instructeur, db):
    assignment = AssignmentFactory(confirmed=True)
    conflicted = AssignmentFactory(reviewer=assignment.reviewer, status="conflict")
    client.force_login(instructeur)
    response = client.get(LIST_URL, {"reviewer": assignment.reviewer.pk})
    assert references(response) == [assignment.dossier.reference]
    assert conflicted.dossier.reference not in references(response)


def test_filter_by_label(client, instructeur, db):
    labelled, _other = DossierFactory(submitted=True), DossierFactory(submitted=True)
    label = Label.objects.create(name="Rural")
    label.dossiers.add(labelled)
    client.force_login(instructeur)
    assert references(client.get(LIST_URL, {"label": label.pk})) == [labelled.reference]


def test_text_search_on_name_reference_and_member_siret(client, instructeur, db):
    by_name = DossierFactory(submitted=True, name="Pôle des Rives de Saône")
    by_siret = DossierFactory(submitted=True)
    MemberFactory(dossier=by_siret, siret=siret_from(987654))
    client.force_login(instructeur)
    assert references(client.get(LIST_URL, {"q": "rives de"})) == [by_name.reference]
    assert references(client.get(LIST_URL, {"q": by_siret.reference})) == [by_siret.reference]
    assert references(client.get(LIST_URL, {"q": siret_from(987654)[:9]})) == [by_siret.reference]


def test_text_search_ignores_accents_case_and_hyphens(client, instructeur, db):
    pole = DossierFactory(submitted=True, name="Pôle Réemploi de Saint-Étienne")
    member = DossierFactory(submitted=True)
    MemberFactory(dossier=member, name="SCIC Énergies Citoyennes")
    client.force_login(instructeur)
    assert references(client.get(LIST_URL, {"q": "pole reemploi"})) == [pole.reference]
    assert references(client.get(LIST_URL, {"q": "SAINT ETIENNE"})) == [pole.reference]
    assert references(client.get(LIST_URL, {"q": "energies citoyennes"})) == [member.reference]


def test_invalid_filter_values_are_ignored_not_an_error(client, instructeur, lyon_dossier):
    client.force_login(instructeur)
    response = client.get(LIST_URL, {"score_min": "beaucoup", "edition": "999999", "o": "password"})
    assert response.status_code == 200
    assert references(response) == [lyon_dossier.reference]
    assert response.context["filterset"].form.errors


def test_filtered_dossiers_is_the_list_selection(instructeur, db):
    kept = DossierFactory(submitted=True, state=DossierState.IN_REVIEW)
    DossierFactory(submitted=True)
    assert list(filters.filtered_dossiers(instructeur, "state=in_review")) == [kept]


# Sort, counters, pagination --------------------------------------------------------------------------------


def test_sort_by_column_with_accessible_links(client, instructeur, db):
    b = DossierFactory(submitted=True, name="B")
    a = DossierFactory(submitted=True, name="A")
    client.force_login(instructeur)
    response = client.get(LIST_URL, {"o": "name"})
    assert [row.dossier for row in response.context["rows"]] == [a, b]
    name_link = next(link for link in response.context["headers"] if link.key == "name")
    assert name_link.direction == "ascending"
    assert "o=-name" in name_link.url
    assert 'aria-sort="ascending"' in response.content.decode()
    descending = client.get(LIST_URL, {"o": "-name"})
    assert [row.dossier for row in descending.context["rows"]] == [b, a]


def test_sort_by_score_puts_unscored_last(client, instructeur, db):
    none, low, high = (DossierFactory(submitted=True) for _ in range(3))
    DossierScore.objects.create(dossier=low, value=40)
    DossierScore.objects.create(dossier=high, value=85)
    client.force_login(instructeur)
    response = client.get(LIST_URL, {"o": "-score"})
    assert [row.dossier for row in response.context["rows"]] == [high, low, none]


def test_counters_per_state_of_the_selection(client, instructeur, lyon_dossier):
    DossierFactory(submitted=True, state=DossierState.IN_REVIEW)
    corsican_dossier(state=DossierState.IN_REVIEW)
    client.force_login(instructeur)
    counters = {tab.key: tab.count for tab in client.get(LIST_URL, {"region": "84"}).context["tabs"]}
    assert counters[DossierState.SUBMITTED] == 1
    assert counters[DossierState.IN_REVIEW] == 0  # the other in-review dossiers have no region or are in Corse
    # The state filter narrows the list but not the counters, so that every state's count stays visible.
    counters = {tab.key: tab.count for tab in client.get(LIST_URL, {"state": "submitted"}).context["tabs"]}
    assert counters[DossierState.IN_REVIEW] == 2
    response = client.get(LIST_URL, {"state": "submitted", "region": "84", "page": "2"})
    # Each counter links to the list of its state, the other filters kept, from the first page.
    urls = {tab.key: tab.url for tab in response.context["tabs"]}
    assert urls[DossierState.IN_REVIEW] == "?region=84&state=in_review"


def test_pagination_by_fifty(client, instructeur, db):
    DossierFactory.create_batch(51, submitted=True)
    client.force_login(instructeur)
    first = client.get(LIST_URL)
    assert len(first.context["rows"]) == 50
    assert 'class="fr-pagination"' in first.content.decode()
    assert len(client.get(LIST_URL, {"page": 2}).context["rows"]) == 1


def make_listed_dossier(label, reviewer_count=2):
    dossier = DossierFactory(complete=True, submitted=True, state=DossierState.IN_REVIEW)
    for _ in range(reviewer_count):
        make_review(AssignmentFactory(dossier=dossier, confirmed=True))
    refresh_dossier_score(dossier)
    label.dossiers.add(dossier)
    return dossier


@pytest.mark.parametrize("role", ["instructeur", "partenaire"])
def test_list_runs_a_constant_number_of_queries(client, referential, role):
    user = UserFactory(**{role: True}, regions=[region("84")] if role == "partenaire" else None)
    label = Label.objects.create(name="Rural")
    client.force_login(user)
    make_listed_dossier(label)
    cache.clear()  # the counters and the filter form are cached: measure their queries too
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(LIST_URL, {"o": "score"}).context["rows"]) == 1
    make_listed_dossier(label, reviewer_count=1)
    make_listed_dossier(label, reviewer_count=3)
    cache.clear()
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(LIST_URL, {"o": "score"}).context["rows"]) == 3
    assert len(one) == len(three)


def test_list_shows_score_discordance_and_labels(client, instructeur, db):
    dossier = DossierFactory(submitted=True)
    DossierScore.objects.create(dossier=dossier, value=62.5, review_count=2, discordant=True)
    Label.objects.create(name="À revoir en comité").dossiers.add(dossier)
    client.force_login(instructeur)
    content = client.get(LIST_URL).content.decode()
    assert "62,5" in content
    assert "Discordant" in content
    assert "À revoir en comité" in content


# Saved filters --------------------------------------------------------------------------------------------------


def test_save_list_and_delete_a_filter(client, instructeur, db):
    client.force_login(instructeur)
    response = client.post(
        reverse("reviews:saved_filter_create"), {"filtre-name": "Mes dossiers", "filtre-query": "state=submitted"}
    )
    saved = SavedFilter.objects.get(user=instructeur)
    assert (saved.name, saved.query) == ("Mes dossiers", "state=submitted")
    assert response.url == f"{LIST_URL}?state=submitted"
    assert "Mes dossiers" in client.get(LIST_URL).content.decode()
    client.post(reverse("reviews:saved_filter_delete", kwargs={"pk": saved.pk}))
    assert not SavedFilter.objects.exists()


def test_saved_filter_name_is_unique_per_user_with_a_clear_error(client, instructeur, db):
    SavedFilter.objects.create(user=instructeur, name="Rural", query="label=1")
    SavedFilter.objects.create(user=UserFactory(instructeur=True), name="Corse", query="region=94")
    client.force_login(instructeur)
    response = client.post(reverse("reviews:saved_filter_create"), {"filtre-name": "rural", "filtre-query": ""})
    assert response.status_code == 200
    assert "Vous avez déjà un filtre nommé" in response.content.decode()
    assert SavedFilter.objects.filter(user=instructeur).count() == 1
    # Another user's name is free.
    client.post(reverse("reviews:saved_filter_create"), {"filtre-name": "Corse", "filtre-query": "region=94"})
    assert SavedFilter.objects.filter(user=instructeur, name="Corse").exists()


def test_cannot_delete_another_users_saved_filter(client, instructeur, db):
    other = SavedFilter.objects.create(user=UserFactory(instructeur=True), name="Corse", query="region=94")
    client.force_login(instructeur)
    assert client.post(reverse("reviews:saved_filter_delete", kwargs={"pk": other.pk})).status_code == 404
    assert SavedFilter.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("role", ["evaluateur", "porteur"])
def test_saved_filters_are_staff_only(client, db, role):
    client.force_login(UserFactory(**{role: True}))
    response = client.post(reverse("reviews:saved_filter_create"), {"filtre-name": "X", "filtre-query": ""})
    assert response.status_code == 404


# Batch actions ------------------------------------------------------------------------------------------------


def test_batch_start_review_moves_what_it_can_and_says_what_it_skipped(client, instructeur, db):
    first, second = DossierFactory(submitted=True), DossierFactory(submitted=True)
    eligible = DossierFactory(submitted=True, state=DossierState.ELIGIBLE)
    client.force_login(instructeur)
    response = client.post(
        reverse("reviews:dossier_batch"),
        {"dossier": [first.pk, second.pk, eligible.pk], "action": "start_review", "query": "state=submitted"},
        follow=True,
    )
    for dossier in (first, second, eligible):
        dossier.refresh_from_db()
    assert (first.state, second.state, eligible.state) == ("in_review", "in_review", "eligible")
    assert first.transitions.get().by == instructeur
    texts = [str(message) for message in response.context["messages"]]
    assert "2 dossiers passent en instruction." in texts
    assert any(eligible.reference in text and "Recevable" in text for text in texts)
    assert response.redirect_chain[-1][0] == f"{LIST_URL}?state=submitted"


def test_batch_start_review_by_partner_ignores_other_regions(client, partner, lyon_dossier):
    corsican = corsican_dossier()
    client.force_login(partner)
    client.post(
        reverse("reviews:dossier_batch"), {"dossier": [lyon_dossier.pk, corsican.pk], "action": "start_review"}
    )
    lyon_dossier.refresh_from_db()
    corsican.refresh_from_db()
    assert (lyon_dossier.state, corsican.state) == ("in_review", "submitted")


def test_batch_without_selection_says_so(client, instructeur, db):
    client.force_login(instructeur)
    response = client.post(reverse("reviews:dossier_batch"), {"action": "start_review"}, follow=True)
    assert "Cochez au moins un dossier" in str(list(response.context["messages"])[0])


def test_batch_assign_redirects_to_the_assignment_page(client, instructeur, db):
    first, second = DossierFactory(submitted=True), DossierFactory(submitted=True)
    client.force_login(instructeur)
    response = client.post(reverse("reviews:dossier_batch"), {"dossier": [first.pk, second.pk], "action": "assign"})
    assert response.status_code == 302
    assert response.url == f"/instruction/affectations/lot/?dossier={first.pk}&dossier={second.pk}"


def test_batch_assign_is_forbidden_to_partners(client, partner, lyon_dossier):
    client.force_login(partner)
    response = client.post(reverse("reviews:dossier_batch"), {"dossier": [lyon_dossier.pk], "action": "assign"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["evaluateur", "porteur"])
def test_batch_is_not_found_for_non_staff(client, db, role):
    dossier = DossierFactory(submitted=True)
    client.force_login(UserFactory(**{role: True}))
    response = client.post(reverse("reviews:dossier_batch"), {"dossier": [dossier.pk], "action": "start_review"})
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.state == "submitted"


def test_export_form_posts_the_current_selection(client, instructeur, db):
    DossierFactory(submitted=True)
    client.force_login(instructeur)
    response = client.get(LIST_URL, {"state": "submitted", "q": "pôle", "page": "1"})
    content = response.content.decode()
    assert f'action="{reverse("reviews:export_create")}"' in content
    assert response.context["export_form"].initial["query"] == "state=submitted&q=p%C3%B4le"


def test_list_has_no_duplicate_ids(client, instructeur, db):
    DossierFactory.create_batch(3, submitted=True)
    SavedFilter.objects.create(user=instructeur, name="Tout", query="")
    client.force_login(instructeur)
    ids = re.findall(r'\sid="([^"]+)"', client.get(LIST_URL).content.decode())
    assert len(ids) == len(set(ids))


def test_the_list_takes_the_whole_width_and_offers_the_export_after_the_results(client, instructeur, lyon_dossier):
    client.force_login(instructeur)

    page = client.get(reverse("reviews:dossier_list")).content.decode()

    assert "fr-container--fluid ptce-container--staff" in page
    assert page.index('<table tabindex="0">') < page.index("</table>") < page.index('id="export"')
