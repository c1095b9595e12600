"""Phase 2's own steps, its budget (balanced per year and in total, errors at their line) and its grant (within
the phase's bounds)."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.enums import BudgetCategory, FundingStatus, PhaseKind
from applications.models import BudgetLine
from applications.services import budget, completeness
from applications.services.steps import PHASE1_STEPS, get_step, steps_for
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.core.html_dom import parse

pytestmark = pytest.mark.django_db


def phase2_draft(**kwargs):
    return DossierFactory(phase=PhaseFactory(phase2=True), **kwargs)


def budget_url(dossier):
    return reverse("applications:budget", kwargs={"reference": dossier.reference})


def grant_url(dossier):
    return reverse("applications:grant", kwargs={"reference": dossier.reference})


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def rows(prefix, *lines):
    data = management(prefix, len(lines))
    for index, line in enumerate(lines):
        data.update({f"{prefix}-{index}-{name}": value for name, value in line.items()})
    return data


def post_budget(client, dossier, charges, resources, button="save"):
    data = {**rows("charges", *charges), **rows("resources", *resources), button: ""}
    return client.post(budget_url(dossier), data)


def grant_lines(dossier, year1, year2):
    for year, amount in ((1, year1), (2, year2)):
        BudgetLine.objects.create(
            dossier=dossier,
            year=year,
            side="resources",
            category=BudgetCategory.AMI_GRANT,
            amount=amount,
            status=FundingStatus.REQUESTED,
        )


# The steps ---------------------------------------------------------------------------------------------------


def test_phase1_steps_are_unchanged():
    assert [step.slug for step in steps_for(PhaseKind.PHASE1)] == [
        "pole",
        "porteur",
        "membres",
        "territoire",
        "cooperation",
        "projet",
        "besoins",
        "pieces",
        "engagements",
    ]
    assert [step.number for step in PHASE1_STEPS] == list(range(1, 10))


def test_phase2_has_its_own_steps_numbered_in_its_list():
    slugs = [step.slug for step in steps_for(PhaseKind.PHASE2)]

    assert slugs[6:12] == ["plan", "moyens", "aide", "budget", "apres", "indicateurs"]
    assert "besoins" not in slugs
    assert get_step("pieces", PhaseKind.PHASE2).number == 13
    assert get_step("pieces", PhaseKind.PHASE1).number == 8


def test_phase1_dossier_has_no_phase2_step(client):
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    step = client.get(reverse("applications:step", kwargs={"reference": dossier.reference, "step": "plan"}))
    budget_page = client.get(budget_url(dossier))

    assert (step.status_code, budget_page.status_code) == (404, 404)


def test_phase2_plan_step_saves_levers_and_plan(client):
    dossier = phase2_draft()
    client.force_login(dossier.owner)
    url = reverse("applications:step", kwargs={"reference": dossier.reference, "step": "plan"})
    page = client.get(url)
    fingerprint = page.context["forms"][0].initial["fingerprint"]

    response = client.post(
        url,
        {
            "action_levers": ["animation", "ingenierie"],
            "action_plan": "Animer.",
            "fingerprint": fingerprint,
            "save": "",
        },
    )

    dossier.refresh_from_db()
    assert response.status_code == 302
    assert (dossier.action_levers, dossier.action_plan) == (["animation", "ingenierie"], "Animer.")
    levers = parse(page.content.decode()).find_all("input", name="action_levers")
    assert [lever.attrs["value"] for lever in levers] == ["animation", "ingenierie", "recherche_innovation"]


def test_a_phase2_dossier_missing_its_phase2_parts_lists_them_on_its_steps():
    dossier = phase2_draft()

    steps = {item.step for item in completeness.missing_items(dossier, *dossier.loaded_parts())}

    assert {"plan", "moyens", "aide", "budget", "apres", "indicateurs"} <= steps
    assert "besoins" not in steps


# The grant requested -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year1", "year2", "error"),
    [
        (
            "50000",
            "40000",
            "L'aide demandée (90\u202f000\u202f€) dépasse le maximum de la phase (80\u202f000\u202f€).",
        ),
        (
            "10000",
            "5000",
            "L'aide demandée (15\u202f000\u202f€) est inférieure au minimum de la phase (30\u202f000\u202f€).",
        ),
        ("", "", "Indiquez le montant de l'aide demandée."),
    ],
)
def test_grant_outside_the_phase_bounds_is_refused_at_the_field(client, year1, year2, error):
    dossier = phase2_draft()
    client.force_login(dossier.owner)

    response = client.post(grant_url(dossier), {"year1": year1, "year2": year2, "save": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["year1"] == [error]
    assert response.context["form"].data["year1"] == year1  # what was typed is kept
    assert not dossier.budget_lines.exists()


def test_grant_within_bounds_is_saved_as_ami_grant_resource_lines(client):
    dossier = phase2_draft()
    client.force_login(dossier.owner)

    response = client.post(grant_url(dossier), {"year1": "40 000", "year2": "20000", "save_next": ""})

    assert response.status_code == 302
    assert response["Location"].endswith("/etapes/budget/")
    lines = list(dossier.budget_lines.values_list("year", "side", "category", "amount", "status"))
    assert lines == [
        (1, "resources", "aide_ami", Decimal("40000.00"), "sollicite"),
        (2, "resources", "aide_ami", Decimal("20000.00"), "sollicite"),
    ]

    client.post(grant_url(dossier), {"year1": "60000", "year2": "0", "save": ""})

    assert list(dossier.budget_lines.values_list("year", "amount")) == [(1, Decimal("60000.00"))]


# The budget --------------------------------------------------------------------------------------------------

CHARGES = [
    {"year": "1", "category": "personnel", "label": "Animatrice", "amount": "50000"},
    {"year": "2", "category": "personnel", "label": "Animatrice", "amount": "50000"},
]
COFINANCING = {"year": "1", "category": "collectivites", "label": "", "funder": "Métropole", "status": "acquis"}


def test_a_cofinancer_without_funder_nor_status_is_refused_at_its_row_and_nothing_is_lost(client):
    dossier = phase2_draft()
    client.force_login(dossier.owner)
    resources = [
        {"year": "1", "category": "autofinancement", "amount": "10000"},
        {
            "year": "2",
            "category": "collectivites",
            "label": "Subvention",
            "funder": "",
            "status": "",
            "amount": "5000",
        },
    ]

    response = post_budget(client, dossier, CHARGES, resources)

    formset = response.context["formsets"][1]
    assert response.status_code == 200
    assert formset.errors[0] == {}
    assert formset.errors[1] == {
        "funder": ["Indiquez le financeur de cette ressource."],
        "status": ["Indiquez si ce financement est acquis ou sollicité."],
    }
    assert not dossier.budget_lines.exists()
    page = parse(response.content.decode())
    assert page.find(name="resources-1-label").attrs["value"] == "Subvention"
    cell = page.find(name="resources-1-funder").closest("td")
    assert "Indiquez le financeur de cette ressource." in cell.text


def test_a_line_without_amount_or_category_is_refused_at_its_row(client):
    dossier = phase2_draft()
    client.force_login(dossier.owner)

    response = post_budget(client, dossier, [{"year": "1", "category": "", "label": "Loyer", "amount": ""}], [])

    assert response.context["formsets"][0].errors[0] == {
        "category": ["Choisissez la catégorie de cette ligne."],
        "amount": ["Indiquez le montant de cette ligne, en euros."],
    }


def test_an_unbalanced_budget_is_saved_and_its_year_totals_say_what_is_missing(client):
    dossier = phase2_draft()
    grant_lines(dossier, 40_000, 40_000)
    client.force_login(dossier.owner)

    response = post_budget(client, dossier, CHARGES, [{**COFINANCING, "amount": "5000"}])

    assert response.status_code == 302
    assert dossier.budget_lines.count() == 5
    page = client.get(budget_url(dossier))
    soup = parse(page.content.decode())
    year1 = soup.by_id("budget-annee-1").text
    year2 = soup.by_id("budget-annee-2").text
    total = soup.by_id("budget-total").text
    # The page's text has its spaces collapsed (the narrow no-break spaces of the amounts included).
    assert "Le budget de l'année 1 n'est pas équilibré : 50 000 € de charges pour 45 000 €" in year1
    assert "Il manque 5 000 € de ressources." in year1
    assert "Il manque 10 000 € de ressources." in year2
    assert "Sur les deux années, le budget n'est pas équilibré" in total
    missing = [item.message for item in completeness.missing_items(dossier, *dossier.loaded_parts())]
    assert any("année 1 n'est pas équilibré" in message for message in missing)


def test_a_balanced_budget_is_saved_and_leads_to_the_next_step(client):
    dossier = phase2_draft()
    grant_lines(dossier, 40_000, 40_000)
    client.force_login(dossier.owner)
    resources = [{**COFINANCING, "amount": "10000"}, {**COFINANCING, "year": "2", "amount": "10000"}]

    response = post_budget(client, dossier, CHARGES, resources, button="save_next")

    assert response.status_code == 302
    assert response["Location"].endswith("/etapes/apres/")
    assert budget.check_dossier(dossier).ok
    assert not [item for item in completeness.missing_items(dossier, *dossier.loaded_parts()) if item.step == "budget"]


def test_deleting_a_line_and_adding_one_without_javascript(client):
    dossier = phase2_draft()
    client.force_login(dossier.owner)
    post_budget(client, dossier, CHARGES, [])

    response = client.post(
        budget_url(dossier),
        {
            **rows("charges", CHARGES[0], {**CHARGES[1], "DELETE": "on"}),
            **rows("resources"),
            "add_charges": "",
        },
    )
    page = client.get(response["Location"])

    assert list(dossier.budget_lines.values_list("year", flat=True)) == [1]
    assert page.context["formsets"][0].total_form_count() == 3  # the saved line, the empty one, the added one


def test_budget_rules_one_home_for_the_step_and_rule_r11():
    lines = [
        BudgetLine(year=1, side="charges", category="personnel", amount=100),
        BudgetLine(year=1, side="resources", category="prives", amount=100, funder="", status=""),
        BudgetLine(year=2, side="charges", category="aide_ami", amount=10),
    ]

    found = budget.check(lines, max_grant=80_000)

    assert found.lines == {
        1: {
            "funder": "Indiquez le financeur de cette ressource.",
            "status": "Indiquez si ce financement est acquis ou sollicité.",
        },
        2: {"category": "Cette catégorie est une ressource, pas une charge."},
    }
    assert list(found.years) == [2]


def test_outsider_gets_404_on_the_budget(client):
    dossier = phase2_draft()
    other = phase2_draft()
    client.force_login(other.owner)

    assert client.get(budget_url(dossier)).status_code == 404
    assert client.post(grant_url(dossier), {"year1": "40000"}).status_code == 404


def test_dossiers_annotated_with_the_grant_they_request_in_one_query(django_assert_num_queries):
    asking = phase2_draft()
    grant_lines(asking, 40_000, 30_000)
    BudgetLine.objects.create(dossier=asking, year=1, side="resources", category="prives", amount=5_000)
    silent = phase2_draft()

    with django_assert_num_queries(1):
        amounts = dict(
            budget.with_requested_grant(type(asking).objects.filter(pk__in=[asking.pk, silent.pk])).values_list(
                "reference", "requested_grant"
            )
        )

    assert amounts == {asking.reference: Decimal("70000.00"), silent.reference: Decimal(0)}


def test_a_budget_saved_meanwhile_by_someone_else_is_not_overwritten(client):
    dossier = phase2_draft()
    client.force_login(dossier.owner)
    page = client.get(budget_url(dossier))
    loaded = page.context["fingerprint"]
    post_budget(client, dossier, CHARGES, [])  # another tab saves first (no fingerprint: the form's test helper)

    data = {**rows("charges", {**CHARGES[0], "amount": "70000"}), **rows("resources"), "fingerprint": loaded}
    response = client.post(budget_url(dossier), {**data, "save": ""})

    assert response.status_code == 409
    assert "Quelqu'un a enregistré le budget" in html.unescape(response.content.decode())
    assert response.context["formsets"][0].forms[0]["amount"].value() == "70000"  # what was typed is kept
    assert sorted(dossier.budget_lines.values_list("amount", flat=True)) == [Decimal(50_000), Decimal(50_000)]
