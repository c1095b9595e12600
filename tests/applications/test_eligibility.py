import dataclasses
import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren

from applications.eligibility import (
    DRAFT_RULE_IDS,
    RULES,
    RULES_BY_ID,
    RuleResult,
    RuleStatus,
    evaluate,
    evaluate_draft,
    summary,
)
from applications.eligibility.budget import check_budget
from applications.eligibility.laureates import Laureate, LaureateHistory, load_history, name_key
from applications.enums import (
    AttachmentKind,
    DossierState,
    EssLegalForm,
    MemberCategory,
    MemberRole,
    PhaseKind,
)
from applications.models import Dossier, MemberStructure
from ptce_ami.core.siret import format_siret
from territories.models import EPCI, Commune, Departement
from tests.applications.factories import (
    AttachmentFactory,
    DossierFactory,
    EditionFactory,
    MemberFactory,
    PhaseFactory,
    siret_from,
)

pytestmark = pytest.mark.django_db

PASS, FAIL, WARNING, NOT_APPLICABLE = (
    RuleStatus.PASS,
    RuleStatus.FAIL,
    RuleStatus.WARNING,
    RuleStatus.NOT_APPLICABLE,
)
POLE = "Pôle des Tisserands"
LEAD = "Association Les Tisserands"
ENTERPRISE = "Menuiserie Dupont"
COLLECTIVITE = "Ville de Lyon"
# Far from the factory sequence, so that added members never take the same SIRET.
SIRETS = {LEAD: siret_from(7_000_101), ENTERPRISE: siret_from(7_000_102), COLLECTIVITE: siret_from(7_000_103)}
HISTORY = "AAP 2013, AMI 2021, AMI 2022, AMI 2023"
NO_LAUREATE = (
    "Ni le SIREN des membres ni le nom du pôle ou de la structure porteuse ne correspondent à un lauréat déjà "
    f"financé (historique : {HISTORY})."
)
NO_ART9 = (
    "Aucune collectivité, centre de recherche, établissement d'enseignement supérieur ni organisme de formation "
    "parmi les membres"
)
NO_PHASE1 = (
    "Le dossier n'est rattaché à aucun dossier de phase 1 : le pôle doit être lauréat de la phase 1 ou déposer son "
    "dossier de phase 1 dans la même édition."
)
PARIS = ZoneInfo("Europe/Paris")
DEADLINE = datetime.datetime(2023, 7, 31, 12, 0, tzinfo=PARIS)
DEADLINE_TEXT = "31 juillet 2023 à 12 h 00, heure de Paris"


# Arrange helpers ---------------------------------------------------------------------------------------------


def complete_dossier(**kwargs):
    """DossierFactory(complete=True) with fixed names and SIRETs, so that explanations can be asserted."""
    kwargs.setdefault("name", POLE)
    dossier = DossierFactory(complete=True, **kwargs)
    for member, name in zip(dossier.members.order_by("position", "pk"), SIRETS, strict=True):
        member.name, member.siret = name, SIRETS[name]
        member.save()
    return dossier


def member(dossier, name):
    return dossier.members.get(name=name)


def change(dossier, member_name, /, **fields):
    changed = member(dossier, member_name)
    for field, value in fields.items():
        setattr(changed, field, value)
    changed.save()


def commune(code, kind="commune-actuelle"):
    return Commune.objects.get(code=code, kind=kind)


def add_member(dossier, name, category, **fields):
    fields.setdefault("ess_legal_form", "")
    fields.setdefault("commune", commune("69123"))
    return MemberFactory(dossier=dossier, name=name, category=category, **fields)


def check(dossier, rule_id, **kwargs):
    [result] = evaluate(dossier, rule_ids=[rule_id], **kwargs)
    return result.status, result.explanation


def run_case(mutate, rule_id, **dossier_kwargs):
    dossier = complete_dossier(**dossier_kwargs)
    evaluate_kwargs = mutate(dossier)  # a mutation may return evaluate() kwargs; anything else is ignored
    if not isinstance(evaluate_kwargs, dict):
        evaluate_kwargs = {}
    return check(dossier, rule_id, **evaluate_kwargs)


def history_of(*rows):
    template = Laureate(
        year=2021,
        call="AMI 2021 phase 2",
        name="Réuniverre",
        aliases=(),
        lead="",
        region="La Réunion",
        siren="",
        funded=True,
        source_url="https://example.org/laureats",
    )
    return LaureateHistory([dataclasses.replace(template, **row) for row in rows])


def siret_with_bad_key(siret):
    return siret[:-1] + str((int(siret[-1]) + 1) % 10)


def sibling_siret(siret):
    """Another establishment (NIC 0009x) of the same SIREN, with a valid key."""
    body = f"{siret[:9]}0009"
    return body + luhn.calc_check_digit(body)


def siret_with_bad_siren():
    """14 digits whose Luhn key is right but whose first 9 digits are no SIREN."""
    siren = next(f"12345678{digit}" for digit in "0123456789" if not stdnum_siren.is_valid(f"12345678{digit}"))
    body = f"{siren}0001"
    return body + luhn.calc_check_digit(body)


# The baseline ------------------------------------------------------------------------------------------------


def test_complete_dossier_passes_every_rule_computable_in_phase1(referential):
    results = evaluate(complete_dossier())

    assert [(result.rule_id, result.status) for result in results] == [
        ("R01", PASS),
        ("R02", PASS),
        ("R03", PASS),
        ("R04", PASS),
        ("R05", PASS),
        ("R06", PASS),
        ("R07", PASS),
        ("R08", NOT_APPLICABLE),
        ("R09", NOT_APPLICABLE),
        ("R10", PASS),
        ("R11", NOT_APPLICABLE),
        ("R12", PASS),
    ]


def test_a_lead_named_like_a_funded_laureate_is_flagged(referential):
    dossier = DossierFactory(complete=True)
    dossier.members.filter(role="lead").update(name="Association Les Tracols")

    assert check(dossier, "R07") == (
        WARNING,
        "Nom proche de la structure porteuse d'un lauréat de l'AMI 2021 : « Association Les Tracols », pour "
        "« Royans-Vercors – La Place des Possibles » — à vérifier.",
    )


def test_rules_are_the_twelve_of_the_design_with_titles_and_legal_bases():
    assert [rule.id for rule in RULES] == [f"R{number:02d}" for number in range(1, 13)]
    assert all(str(rule.title) and rule.legal_basis for rule in RULES)
    assert RULES_BY_ID["R01"].legal_basis == "Décret n° 2015-431 du 15 avril 2015, art. 3, 1°"
    assert RULES_BY_ID["R05"].legal_basis == (
        "Décret n° 2015-431 du 15 avril 2015, art. 3, 2° ; loi n° 2014-856 du 31 juillet 2014, art. 9"
    )
    assert RULES_BY_ID["R09"].legal_basis == "Cahier des charges de l'AMI"
    assert DRAFT_RULE_IDS == ("R01", "R02", "R03", "R04", "R05", "R06", "R07", "R10", "R12")


# R01 — lead structure of private law ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "status", "explanation"),
    [
        pytest.param(
            lambda d: None,
            PASS,
            f"La structure porteuse, {LEAD}, est une personne morale de droit privé (association).",
            id="ess-legal-form",
        ),
        pytest.param(
            lambda d: change(d, LEAD, category=MemberCategory.COLLECTIVITE, ess_legal_form=""),
            FAIL,
            f"La structure porteuse, {LEAD}, est une collectivité territoriale ou un groupement : ce n'est pas une "
            "personne morale de droit privé.",
            id="collectivite",
        ),
        pytest.param(
            lambda d: change(d, LEAD, category=MemberCategory.RESEARCH, ess_legal_form=""),
            WARNING,
            f"La structure porteuse, {LEAD}, relève de la catégorie « Centre de recherche » : à vérifier, un "
            "établissement public n'est pas une personne morale de droit privé.",
            id="research",
        ),
        pytest.param(
            lambda d: change(d, LEAD, category=MemberCategory.HIGHER_EDUCATION, ess_legal_form=""),
            WARNING,
            f"La structure porteuse, {LEAD}, relève de la catégorie « Établissement d'enseignement supérieur » : à "
            "vérifier, un établissement public n'est pas une personne morale de droit privé.",
            id="higher-education",
        ),
        pytest.param(
            lambda d: change(d, LEAD, category=MemberCategory.RESEARCH, ess_legal_form=EssLegalForm.FONDATION),
            PASS,
            f"La structure porteuse, {LEAD}, est une personne morale de droit privé (fondation).",
            id="research-run-by-a-foundation",
        ),
        pytest.param(
            lambda d: change(d, LEAD, category=MemberCategory.ENTERPRISE, ess_legal_form=""),
            PASS,
            f"La structure porteuse, {LEAD}, relève de la catégorie « Entreprise hors ESS », compatible avec une "
            "personne morale de droit privé.",
            id="enterprise",
        ),
        pytest.param(
            lambda d: change(d, LEAD, category=MemberCategory.TRAINING, ess_legal_form=""),
            PASS,
            f"La structure porteuse, {LEAD}, relève de la catégorie « Organisme de formation », compatible avec une "
            "personne morale de droit privé.",
            id="training",
        ),
        pytest.param(
            lambda d: member(d, LEAD).delete(),
            FAIL,
            "La structure porteuse n'est pas renseignée.",
            id="no-lead",
        ),
    ],
)
def test_r01_lead_is_a_private_law_person(referential, mutate, status, explanation):
    assert run_case(mutate, "R01") == (status, explanation)


# R02 — at least three legal persons --------------------------------------------------------------------------


def keep_only(dossier, count):
    for extra in dossier.members.order_by("-position")[: 3 - count]:
        extra.delete()


@pytest.mark.parametrize(
    ("mutate", "status", "explanation"),
    [
        pytest.param(lambda d: None, PASS, "Le pôle réunit 3 personnes morales (au moins 3 requises).", id="three"),
        pytest.param(
            lambda d: keep_only(d, 2),
            FAIL,
            "Le pôle réunit 2 personnes morales ; il en faut au moins 3.",
            id="two",
        ),
        pytest.param(
            lambda d: keep_only(d, 1),
            FAIL,
            "Le pôle réunit 1 personne morale ; il en faut au moins 3.",
            id="one",
        ),
        pytest.param(
            lambda d: d.members.all().delete(),
            FAIL,
            "Le pôle ne réunit aucune personne morale ; il en faut au moins 3.",
            id="none",
        ),
        pytest.param(
            lambda d: change(d, COLLECTIVITE, siret=sibling_siret(SIRETS[ENTERPRISE])),
            FAIL,
            "Le pôle réunit 2 personnes morales ; il en faut au moins 3. "
            f"{ENTERPRISE} et {COLLECTIVITE} ont le même SIREN ({format_siret(SIRETS[ENTERPRISE])[:11]}) et comptent "
            "pour une seule personne morale.",
            id="two-establishments-of-one-siren",
        ),
        pytest.param(
            lambda d: change(d, COLLECTIVITE, category=MemberCategory.OTHER, siret=""),
            WARNING,
            "Le pôle réunit 3 personnes morales (au moins 3 requises). "
            f"{COLLECTIVITE}, sans SIRET (catégorie « Autre personne physique ou morale »), est compté : à vérifier "
            "qu'il s'agit d'une personne morale.",
            id="third-is-other-without-siret",
        ),
        pytest.param(
            lambda d: add_member(d, "Collectif des habitants", MemberCategory.OTHER, siret=""),
            PASS,
            "Le pôle réunit 4 personnes morales (au moins 3 requises). "
            "Collectif des habitants, sans SIRET (catégorie « Autre personne physique ou morale »), est compté : à "
            "vérifier qu'il s'agit d'une personne morale.",
            id="fourth-is-other-without-siret",
        ),
    ],
)
def test_r02_at_least_three_legal_persons(referential, mutate, status, explanation):
    assert run_case(mutate, "R02") == (status, explanation)


def test_r02_details_list_each_fact_when_there_are_several(referential):
    dossier = complete_dossier()
    change(dossier, COLLECTIVITE, category=MemberCategory.OTHER, siret="")

    [result] = evaluate(dossier, rule_ids=["R02"])

    assert result.details == (
        "Le pôle réunit 3 personnes morales (au moins 3 requises).",
        f"{COLLECTIVITE}, sans SIRET (catégorie « Autre personne physique ou morale »), est compté : à vérifier "
        "qu'il s'agit d'une personne morale.",
    )


# R03 — an ESS enterprise -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "status", "explanation"),
    [
        pytest.param(
            lambda d: None,
            PASS,
            f"1 entreprise de l'ESS parmi les membres : {LEAD} (association).",
            id="association",
        ),
        pytest.param(
            lambda d: add_member(
                d, "Coop Alpha", MemberCategory.ESS_ENTERPRISE, ess_legal_form=EssLegalForm.COOPERATIVE_SCIC
            ),
            PASS,
            f"2 entreprises de l'ESS parmi les membres : {LEAD} (association), Coop Alpha (coopérative — SCIC).",
            id="two",
        ),
        pytest.param(
            lambda d: change(d, LEAD, ess_legal_form=""),
            WARNING,
            f"{LEAD} est déclarée entreprise de l'ESS sans forme juridique de l'ESS indiquée : à vérifier (art. 1 "
            "de la loi ESS).",
            id="ess-without-legal-form",
        ),
        pytest.param(
            lambda d: change(d, LEAD, category=MemberCategory.OTHER, ess_legal_form=""),
            FAIL,
            "Aucune entreprise de l'ESS parmi les membres (art. 1 de la loi ESS).",
            id="none",
        ),
    ],
)
def test_r03_at_least_one_ess_enterprise(referential, mutate, status, explanation):
    assert run_case(mutate, "R03") == (status, explanation)


# R04 — an enterprise outside the ESS -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "status", "explanation"),
    [
        pytest.param(lambda d: None, PASS, f"1 entreprise hors ESS parmi les membres : {ENTERPRISE}.", id="one"),
        pytest.param(
            lambda d: add_member(d, "Garage Martin", MemberCategory.ENTERPRISE),
            PASS,
            f"2 entreprises hors ESS parmi les membres : {ENTERPRISE}, Garage Martin.",
            id="two",
        ),
        pytest.param(
            lambda d: change(d, ENTERPRISE, category=MemberCategory.TRAINING),
            FAIL,
            "Aucune entreprise hors ESS parmi les membres.",
            id="none",
        ),
    ],
)
def test_r04_at_least_one_enterprise_outside_the_ess(referential, mutate, status, explanation):
    assert run_case(mutate, "R04") == (status, explanation)


# R05 — another art. 9 actor ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "status", "explanation"),
    [
        pytest.param(
            lambda d: None,
            PASS,
            f"1 autre acteur de l'art. 9 parmi les membres : {COLLECTIVITE} (collectivité territoriale ou "
            "groupement).",
            id="collectivite",
        ),
        pytest.param(
            lambda d: add_member(d, "Université Lyon 2", MemberCategory.HIGHER_EDUCATION),
            PASS,
            f"2 autres acteurs de l'art. 9 parmi les membres : {COLLECTIVITE} (collectivité territoriale ou "
            "groupement), Université Lyon 2 (établissement d'enseignement supérieur).",
            id="two",
        ),
        pytest.param(
            lambda d: change(d, COLLECTIVITE, category=MemberCategory.OTHER),
            WARNING,
            f"{NO_ART9} ; {COLLECTIVITE} (catégorie « Autre personne physique ou morale ») peut relever de « toute "
            "autre personne physique ou morale » de l'art. 9 : à vérifier.",
            id="only-other",
        ),
        pytest.param(
            lambda d: change(d, COLLECTIVITE, category=MemberCategory.ENTERPRISE),
            FAIL,
            f"{NO_ART9} (art. 9 de la loi ESS).",
            id="none",
        ),
    ],
)
def test_r05_at_least_one_other_art9_actor(referential, mutate, status, explanation):
    assert run_case(mutate, "R05") == (status, explanation)


# R06 — territory ---------------------------------------------------------------------------------------------


def territory(dossier, communes=(), epcis=(), departements=()):
    dossier.communes.set([commune(code) for code in communes])
    dossier.epcis.set(EPCI.objects.filter(siren__in=epcis))
    dossier.departements.set(Departement.objects.filter(code__in=departements))


@pytest.mark.parametrize(
    ("mutate", "status", "explanation"),
    [
        pytest.param(
            lambda d: None,
            PASS,
            "Le territoire est défini (2 communes) et les 3 membres y sont situés.",
            id="inside",
        ),
        pytest.param(
            lambda d: territory(d),
            FAIL,
            "Aucun territoire n'est défini : choisissez des communes, des EPCI ou des départements.",
            id="no-territory",
        ),
        pytest.param(
            lambda d: territory(d, departements=["69"]),
            PASS,
            "Le territoire est défini (1 département) et les 3 membres y sont situés.",
            id="departement",
        ),
        pytest.param(
            lambda d: territory(d, epcis=["200046977"]),
            PASS,
            "Le territoire est défini (1 EPCI) et les 3 membres y sont situés.",
            id="epci",
        ),
        pytest.param(
            lambda d: change(d, ENTERPRISE, commune=commune("69381", "arrondissement-municipal")),
            PASS,
            "Le territoire est défini (2 communes) et les 3 membres y sont situés.",
            id="district-of-a-chosen-commune",
        ),
        pytest.param(
            lambda d: (
                change(d, ENTERPRISE, commune=commune("2A004")),
                change(d, COLLECTIVITE, commune=commune("42218")),
            ),
            WARNING,
            f"2 membres sont situés hors du territoire déclaré : {ENTERPRISE} (Ajaccio), {COLLECTIVITE} "
            "(Saint-Étienne).",
            id="two-outside",
        ),
        pytest.param(
            lambda d: change(d, COLLECTIVITE, commune=None),
            WARNING,
            f"1 membre n'a pas de commune indiquée : {COLLECTIVITE} (commune non renseignée).",
            id="no-commune",
        ),
        pytest.param(
            lambda d: (
                change(d, ENTERPRISE, commune=commune("2A004")),
                change(d, COLLECTIVITE, commune=None),
            ),
            WARNING,
            f"1 membre est situé hors du territoire déclaré : {ENTERPRISE} (Ajaccio). "
            f"1 membre n'a pas de commune indiquée : {COLLECTIVITE} (commune non renseignée).",
            id="outside-and-no-commune",
        ),
        pytest.param(
            lambda d: d.members.all().delete(),
            PASS,
            "Le territoire est défini (2 communes) ; aucun membre n'est encore renseigné.",
            id="no-member-yet",
        ),
    ],
)
def test_r06_territory_defined_and_members_inside(referential, mutate, status, explanation):
    assert run_case(mutate, "R06") == (status, explanation)


# R07 — not already funded ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pole", "lead", "status", "explanation"),
    [
        pytest.param(POLE, LEAD, PASS, NO_LAUREATE, id="unrelated"),
        pytest.param(
            "PTCE Réuniverre",
            LEAD,
            WARNING,
            "Nom proche d'un lauréat de l'AMI 2021 : « Réuniverre » — à vérifier.",
            id="ptce-prefix",
        ),
        pytest.param(
            "Le pôle RÉUNIVERRE !",
            LEAD,
            WARNING,
            "Nom proche d'un lauréat de l'AMI 2021 : « Réuniverre » — à vérifier.",
            id="case-accents-punctuation",
        ),
        pytest.param(
            "Auton'Hommes",
            LEAD,
            WARNING,
            "Nom proche d'un lauréat de l'AMI 2021 : « PTCE Auton'Homme » — à vérifier.",
            id="close-spelling",
        ),
        pytest.param(
            "Cluster Jura",
            LEAD,
            WARNING,
            "Nom proche d'un lauréat de l'AAP 2013 : « Clu'Ster Jura » — à vérifier.",
            id="aap-2013",
        ),
        pytest.param(
            POLE,
            "Les Herbes folles",
            WARNING,
            "Nom proche d'un lauréat de l'AMI 2023 : « Les Herbes Folles » — à vérifier.",
            id="lead-named-like-a-laureate",
        ),
        pytest.param(POLE, "Brie'Nov", PASS, NO_LAUREATE, id="phase1-label-was-no-funding"),
    ],
)
def test_r07_names_against_the_laureate_history(referential, pole, lead, status, explanation):
    dossier = complete_dossier()
    dossier.name = pole
    change(dossier, LEAD, name=lead)

    assert check(dossier, "R07") == (status, explanation)


SIREN_OF = {name: siret[:9] for name, siret in SIRETS.items()}


@pytest.mark.parametrize(
    ("rows", "status", "explanation"),
    [
        pytest.param(
            [{"siren": SIREN_OF[LEAD]}],
            FAIL,
            f"La structure porteuse, {LEAD} (SIREN {format_siret(SIRETS[LEAD])[:11]}), a déjà été financée comme "
            "lauréate de l'AMI 2021 : « Réuniverre ».",
            id="lead-siren",
        ),
        pytest.param(
            [{"siren": SIREN_OF[ENTERPRISE], "call": "AAP 2013", "year": 2013, "name": "Le Damier"}],
            WARNING,
            f"Le membre {ENTERPRISE} (SIREN {format_siret(SIRETS[ENTERPRISE])[:11]}) a déjà été financé comme "
            "lauréat de l'AAP 2013 : « Le Damier » — à vérifier.",
            id="member-siren",
        ),
        pytest.param(
            [{"siren": SIREN_OF[LEAD], "call": "AMI 2021 phase 1", "funded": False}, {"name": "Autre pôle"}],
            PASS,
            "Ni le SIREN des membres ni le nom du pôle ou de la structure porteuse ne correspondent à un lauréat "
            "déjà financé (historique : AMI 2021).",
            id="phase1-siren-is-no-funding",
        ),
        pytest.param(
            [{"siren": "732829320"}],
            PASS,
            "Ni le SIREN des membres ni le nom du pôle ou de la structure porteuse ne correspondent à un lauréat "
            "déjà financé (historique : AMI 2021).",
            id="name-ignored-when-the-laureate-siren-is-known",
        ),
        pytest.param(
            [{}],
            WARNING,
            "Nom proche d'un lauréat de l'AMI 2021 : « Réuniverre » — à vérifier.",
            id="name-used-when-the-laureate-siren-is-unknown",
        ),
    ],
)
def test_r07_siren_against_the_laureate_history(referential, rows, status, explanation):
    dossier = complete_dossier(name="PTCE Réuniverre")

    assert check(dossier, "R07", history=history_of(*rows)) == (status, explanation)


# R08 — phase-1 prerequisite ----------------------------------------------------------------------------------


def phase1_dossier(year, state):
    phase = PhaseFactory(edition=EditionFactory(year=year), kind=PhaseKind.PHASE1)
    submitted_at = None if state == DossierState.DRAFT else timezone.now()
    return DossierFactory(phase=phase, state=state, submitted_at=submitted_at)


def phase2_dossier(**kwargs):
    return complete_dossier(phase=PhaseFactory(edition=EditionFactory(year=2026), kind=PhaseKind.PHASE2), **kwargs)


@pytest.mark.parametrize(
    ("year", "state", "status", "explanation"),
    [
        pytest.param(
            2025,
            DossierState.LAUREATE,
            PASS,
            "Le pôle est lauréat de la phase 1 ({ref}, AMI PTCE 2025).",
            id="laureate-earlier-edition",
        ),
        pytest.param(
            2026,
            DossierState.SUBMITTED,
            PASS,
            "Le dossier de phase 1 {ref} est déposé dans la même édition (AMI PTCE 2026).",
            id="filed-together",
        ),
        pytest.param(
            2026,
            DossierState.IN_REVIEW,
            PASS,
            "Le dossier de phase 1 {ref} est déposé dans la même édition (AMI PTCE 2026).",
            id="filed-together-in-review",
        ),
        pytest.param(
            2026, DossierState.DRAFT, FAIL, "Le dossier de phase 1 {ref} n'est pas encore déposé.", id="draft"
        ),
        pytest.param(
            2026,
            DossierState.NOT_RETAINED,
            FAIL,
            "Le dossier de phase 1 {ref} n'est plus en lice (non retenu).",
            id="not-retained",
        ),
        pytest.param(
            2026,
            DossierState.WITHDRAWN,
            FAIL,
            "Le dossier de phase 1 {ref} n'est plus en lice (retiré).",
            id="withdrawn",
        ),
        pytest.param(
            2025,
            DossierState.SUBMITTED,
            FAIL,
            "Le dossier de phase 1 {ref} relève d'une autre édition (AMI PTCE 2025) et n'est pas lauréat.",
            id="other-edition-not-laureate",
        ),
    ],
)
def test_r08_phase2_continues_a_phase1_dossier(referential, year, state, status, explanation):
    previous = phase1_dossier(year, state)

    dossier = phase2_dossier(continues=previous)

    assert check(dossier, "R08") == (status, explanation.format(ref=previous.reference))


def test_r08_not_applicable_in_phase1(referential):
    assert check(complete_dossier(), "R08") == (NOT_APPLICABLE, "Ce critère ne concerne que la phase 2.")


def test_r08_fails_without_phase1_dossier(referential):
    assert check(phase2_dossier(), "R08") == (FAIL, NO_PHASE1)


def test_r08_warns_when_the_pole_is_named_like_a_phase1_laureate(referential):
    dossier = phase2_dossier()
    dossier.name = "PTCE Brie'Nov"

    status, explanation = check(dossier, "R08")

    assert (status, explanation) == (
        WARNING,
        f"{NO_PHASE1} Nom proche d'un lauréat de la phase 1 de l'AMI 2021 : « Brie'Nov » — à vérifier.",
    )


def test_r08_fails_when_the_continued_dossier_is_not_phase1(referential):
    previous = phase2_dossier()

    dossier = phase2_dossier(continues=previous)

    assert check(dossier, "R08") == (
        FAIL,
        f"Le dossier poursuivi, {previous.reference}, n'est pas un dossier de phase 1.",
    )


# R09 — deadline ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "now", "status", "explanation"),
    [
        pytest.param(
            None,
            DEADLINE - datetime.timedelta(days=1),
            NOT_APPLICABLE,
            f"Le dossier n'est pas encore déposé : la date de dépôt sera vérifiée au dépôt (date limite : "
            f"{DEADLINE_TEXT}).",
            id="draft",
        ),
        pytest.param(
            None,
            DEADLINE + datetime.timedelta(seconds=1),
            FAIL,
            f"La date limite ({DEADLINE_TEXT}) est passée et le dossier n'a pas été déposé.",
            id="draft-after-deadline",
        ),
        pytest.param(
            DEADLINE - datetime.timedelta(seconds=1),
            None,
            PASS,
            f"Déposé le 31 juillet 2023 à 11 h 59 min 59 s, dans le délai (date limite : {DEADLINE_TEXT}).",
            id="one-second-before",
        ),
        pytest.param(
            DEADLINE,
            None,
            PASS,
            f"Déposé le 31 juillet 2023 à 12 h 00 min 00 s, dans le délai (date limite : {DEADLINE_TEXT}).",
            id="at-the-deadline",
        ),
        pytest.param(
            DEADLINE + datetime.timedelta(seconds=1),
            None,
            FAIL,
            f"Déposé le 31 juillet 2023 à 12 h 00 min 01 s, après la date limite ({DEADLINE_TEXT}).",
            id="one-second-late",
        ),
    ],
)
def test_r09_submitted_before_the_deadline(referential, submitted_at, now, status, explanation):
    phase = PhaseFactory(opens_at=DEADLINE - datetime.timedelta(days=60), closes_at=DEADLINE)
    state = DossierState.DRAFT if submitted_at is None else DossierState.SUBMITTED
    dossier = DossierFactory(phase=phase, state=state, submitted_at=submitted_at)

    assert check(dossier, "R09", now=now) == (status, explanation)


# R10 — attachments -------------------------------------------------------------------------------------------


def statutes(dossier):
    return dossier.attachments.filter(kind=AttachmentKind.STATUTES)


def require(dossier, *kinds):
    dossier.phase.required_attachment_kinds = list(kinds)
    dossier.phase.save()


@pytest.mark.parametrize(
    ("mutate", "status", "explanation"),
    [
        pytest.param(
            lambda d: None,
            PASS,
            "Les 2 pièces obligatoires sont jointes, lisibles et dans un format accepté.",
            id="present",
        ),
        pytest.param(
            lambda d: require(d, AttachmentKind.STATUTES),
            PASS,
            "La pièce obligatoire est jointe, lisible et dans un format accepté.",
            id="one-required",
        ),
        pytest.param(
            lambda d: require(d),
            NOT_APPLICABLE,
            "Aucune pièce obligatoire n'est demandée pour cette phase.",
            id="none-required",
        ),
        pytest.param(
            lambda d: statutes(d).delete(),
            FAIL,
            "Pièce obligatoire manquante : Statuts de la structure porteuse.",
            id="missing",
        ),
        pytest.param(
            lambda d: statutes(d).update(removed_at=timezone.now()),
            FAIL,
            "Pièce obligatoire manquante : Statuts de la structure porteuse.",
            id="removed",
        ),
        pytest.param(
            lambda d: statutes(d).update(size=0),
            FAIL,
            "Fichier vide ou illisible : statuts.pdf (Statuts de la structure porteuse).",
            id="empty",
        ),
        pytest.param(
            lambda d: statutes(d).update(content_type="application/x-msdownload", original_name="statuts.exe"),
            FAIL,
            "Format non accepté : statuts.exe (Statuts de la structure porteuse) ; formats acceptés : PDF, PNG, "
            "JPEG, ODT, ODS, DOCX, XLSX.",
            id="wrong-type",
        ),
        pytest.param(
            lambda d: d.attachments.all().delete(),
            FAIL,
            "Pièce obligatoire manquante : Statuts de la structure porteuse. "
            "Pièce obligatoire manquante : Attestation sur l'honneur.",
            id="both-missing",
        ),
        pytest.param(
            lambda d: statutes(d).update(
                content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document; charset=binary"
            ),
            PASS,
            "Les 2 pièces obligatoires sont jointes, lisibles et dans un format accepté.",
            id="docx-with-parameter",
        ),
        pytest.param(
            lambda d: (statutes(d).update(size=0), AttachmentFactory(dossier=d, kind=AttachmentKind.STATUTES)),
            PASS,
            "Les 2 pièces obligatoires sont jointes, lisibles et dans un format accepté.",
            id="an-empty-one-and-a-good-one",
        ),
    ],
)
def test_r10_required_attachments(referential, mutate, status, explanation):
    assert run_case(mutate, "R10") == (status, explanation)


# R11 — phase-2 budget ----------------------------------------------------------------------------------------


def line(year, side, amount, requested_grant=False):
    return SimpleNamespace(year=year, side=side, amount=Decimal(amount), requested_grant=requested_grant)


BALANCED = [
    line(1, "charges", 60_000),
    line(1, "resources", 50_000, requested_grant=True),
    line(1, "resources", 10_000),
    line(2, "charges", 60_000),
    line(2, "resources", 50_000, requested_grant=True),
    line(2, "resources", 10_000),
]


def test_r11_not_applicable_in_phase1(referential):
    assert check(complete_dossier(), "R11") == (NOT_APPLICABLE, "Ce critère ne concerne que la phase 2.")


def test_r11_phase2_budget_not_entered_yet_fails(referential):
    assert check(phase2_dossier(), "R11") == (
        FAIL,
        "L'année 1 du budget n'est pas renseignée. L'année 2 du budget n'est pas renseignée.",
    )


def test_r11_phase2_with_budget_lines(referential):
    dossier = phase2_dossier()
    dossier.phase.max_grant = Decimal(100_000)

    assert check(dossier, "R11", budget_lines=BALANCED) == (
        PASS,
        "Aide demandée : 100\u202f000\u202f€ (maximum : 100\u202f000\u202f€) ; budget renseigné et équilibré "
        "pour les 2 années.",
    )


@pytest.mark.parametrize(
    ("lines", "max_grant", "status", "explanation"),
    [
        pytest.param(
            BALANCED,
            None,
            PASS,
            "Aide demandée : 100\u202f000\u202f€ (maximum : aucun maximum fixé pour la phase) ; budget renseigné et "
            "équilibré pour les 2 années.",
            id="no-maximum",
        ),
        pytest.param(
            BALANCED,
            80_000,
            FAIL,
            "L'aide demandée (100\u202f000\u202f€) dépasse le maximum de la phase (80\u202f000\u202f€).",
            id="above-maximum",
        ),
        pytest.param(
            BALANCED[:3],
            100_000,
            FAIL,
            "L'année 2 du budget n'est pas renseignée.",
            id="year-2-missing",
        ),
        pytest.param(
            [*BALANCED[:5]],
            100_000,
            FAIL,
            "Le budget de l'année 2 n'est pas équilibré : 60\u202f000\u202f€ de charges pour 50\u202f000\u202f€ de "
            "ressources. Il manque 10\u202f000\u202f€ de ressources.",
            id="unbalanced",
        ),
        pytest.param(
            [line(year, side, 1_000) for year in (1, 2) for side in ("charges", "resources")],
            100_000,
            WARNING,
            "Le budget ne fait apparaître aucune aide demandée au titre de l'AMI.",
            id="no-grant-requested",
        ),
    ],
)
def test_r11_check_budget(lines, max_grant, status, explanation):
    result = check_budget(lines, max_grant)

    assert (result.status, result.explanation) == (status, explanation)


# R12 — SIRET and duplicates ----------------------------------------------------------------------------------


def with_copy_of(dossier, member_name, /, **fields):
    """evaluate() kwargs with an unsaved second copy of a member (the database refuses a duplicate SIRET)."""
    members = list(dossier.members.select_related("commune"))
    original = next(m for m in members if m.name == member_name)
    copy = MemberStructure(
        dossier=dossier,
        name=original.name,
        siret=original.siret,
        category=original.category,
        commune=original.commune,
        role=MemberRole.MEMBER,
    )
    for field, value in fields.items():
        setattr(copy, field, value)
    return {"members": [*members, copy]}


@pytest.mark.parametrize(
    ("mutate", "status", "explanation"),
    [
        pytest.param(
            lambda d: None,
            PASS,
            "Les 3 SIRET renseignés sont valides et aucun membre ne figure deux fois.",
            id="valid",
        ),
        pytest.param(
            lambda d: change(d, ENTERPRISE, siret=siret_with_bad_key(SIRETS[ENTERPRISE])),
            FAIL,
            f"Le SIRET de {ENTERPRISE} n'est pas valide (clé de contrôle).",
            id="checksum",
        ),
        pytest.param(
            lambda d: change(d, ENTERPRISE, siret=siret_with_bad_siren()),
            FAIL,
            f"Le SIRET de {ENTERPRISE} n'est pas valide (SIREN incorrect).",
            id="siren",
        ),
        pytest.param(
            lambda d: change(d, ENTERPRISE, siret="1234"),
            FAIL,
            f"Le SIRET de {ENTERPRISE} n'est pas valide (14 chiffres attendus).",
            id="length",
        ),
        pytest.param(
            lambda d: change(d, ENTERPRISE, siret=""),
            FAIL,
            f"Le SIRET de {ENTERPRISE} n'est pas renseigné.",
            id="missing",
        ),
        pytest.param(
            lambda d: change(d, COLLECTIVITE, category=MemberCategory.OTHER, siret=""),
            PASS,
            "Les 2 SIRET renseignés sont valides et aucun membre ne figure deux fois.",
            id="other-without-siret",
        ),
        pytest.param(
            lambda d: with_copy_of(d, ENTERPRISE),
            FAIL,
            f"La structure {ENTERPRISE} figure deux fois (SIRET {format_siret(SIRETS[ENTERPRISE])}).",
            id="same-siret",
        ),
        pytest.param(
            lambda d: with_copy_of(d, ENTERPRISE, siret=format_siret(SIRETS[ENTERPRISE])),
            FAIL,
            f"La structure {ENTERPRISE} figure deux fois (SIRET {format_siret(SIRETS[ENTERPRISE])}).",
            id="same-siret-with-spaces",
        ),
        pytest.param(
            lambda d: (
                change(d, COLLECTIVITE, category=MemberCategory.OTHER, siret=""),
                with_copy_of(d, COLLECTIVITE, name="VILLE DE LYON"),
            )[1],
            FAIL,
            f"La structure {COLLECTIVITE} figure deux fois (même nom, sans SIRET).",
            id="same-name-without-siret",
        ),
        pytest.param(
            lambda d: change(d, COLLECTIVITE, siret=sibling_siret(SIRETS[ENTERPRISE])),
            WARNING,
            f"{ENTERPRISE} et {COLLECTIVITE} ont le même SIREN ({format_siret(SIRETS[ENTERPRISE])[:11]}) : deux "
            "établissements d'une même personne morale, à vérifier.",
            id="same-siren",
        ),
        pytest.param(
            lambda d: d.members.all().delete(),
            NOT_APPLICABLE,
            "Aucun membre n'est encore renseigné.",
            id="no-member",
        ),
    ],
)
def test_r12_valid_sirets_and_no_duplicate(referential, mutate, status, explanation):
    assert run_case(mutate, "R12") == (status, explanation)


# The laureate history ----------------------------------------------------------------------------------------


def test_laureate_history_is_loaded_from_the_model_with_the_shipped_lists(django_assert_num_queries):
    with django_assert_num_queries(1):
        history = load_history()

    calls = {}
    for laureate in history.laureates:
        calls[laureate.call] = calls.get(laureate.call, 0) + 1
    assert len(history) == 61
    assert calls == {
        "AAP 2013": 21,
        "AMI 2021 phase 1": 10,
        "AMI 2021 phase 2": 15,
        "AMI 2022 phase 2": 1,
        "AMI 2023 phase 2": 14,
    }
    assert len(history.funded()) == 51
    assert all(laureate.source_url.startswith("https://") for laureate in history.laureates)
    assert all(laureate.funded != laureate.is_ami_phase1 for laureate in history.laureates)


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("PTCE Réuniverre", "reuniverre"),
        ("Réuniverre", "reuniverre"),
        ("Le pôle « Réuniverre » !", "reuniverre"),
        ("Clu'Ster Jura", "clusterjura"),
        ("Pôle d'Économie Circulaire en Cœur de Savoie", "economiecirculairecoeursavoie"),
        ("Association Les Tracols", "tracols"),
        ("", ""),
    ],
)
def test_name_key_normalises_names(value, key):
    assert name_key(value) == key


# evaluate() --------------------------------------------------------------------------------------------------


def dossier_with_members(count, **kwargs):
    dossier = complete_dossier(**kwargs)
    district = commune("69381", "arrondissement-municipal")
    for number in range(count):
        add_member(dossier, f"Entreprise {number}", MemberCategory.ENTERPRISE, commune=district)
    return Dossier.objects.get(pk=dossier.pk)


@pytest.mark.parametrize("count", [1, 5])
def test_evaluate_query_count_does_not_grow_with_members(referential, django_assert_num_queries, count):
    dossier = dossier_with_members(count)

    # Phase, members (with communes and parents), attachments, the territory's communes, EPCI, départements, and
    # the laureate history.
    with django_assert_num_queries(7):
        results = evaluate(dossier)

    assert len(results) == 12


@pytest.mark.parametrize("count", [1, 5])
def test_evaluate_phase2_query_count(referential, django_assert_num_queries, count):
    previous = phase1_dossier(2026, DossierState.SUBMITTED)
    dossier = dossier_with_members(
        count, phase=PhaseFactory(edition=EditionFactory(year=2026), kind=PhaseKind.PHASE2), continues=previous
    )

    # Two more: the continued phase-1 dossier with its phase and edition, the budget's lines.
    with django_assert_num_queries(9):
        results = evaluate(dossier)

    assert results[7].status == PASS


@pytest.mark.parametrize("count", [1, 5])
def test_evaluate_draft_with_the_summary_page_parts(referential, django_assert_num_queries, count):
    dossier = dossier_with_members(count)
    members, attachments = dossier.loaded_parts()

    # Phase, the territory (3), the parents of the communes the page did not load (the districts), the history.
    with django_assert_num_queries(6):
        results = evaluate_draft(dossier, members=members, attachments=attachments)

    assert [result.rule_id for result in results] == list(DRAFT_RULE_IDS)
    assert {result.status for result in results} == {PASS}


def test_evaluate_only_the_rules_asked(referential):
    results = evaluate(complete_dossier(), rule_ids=["R12", "R02"])

    assert [result.rule_id for result in results] == ["R02", "R12"]


def test_a_crashing_rule_becomes_a_warning_and_is_logged(referential, caplog):
    def crash(context):
        raise ZeroDivisionError("boom")

    crashing = dataclasses.replace(RULES_BY_ID["R06"], func=crash)

    [result] = evaluate(complete_dossier(), rules=[crashing])

    assert result == RuleResult(
        rule_id="R06",
        title="Territoire défini et membres situés dans le territoire",
        status=WARNING,
        explanation="Vérification impossible : une erreur inattendue s'est produite ; ce critère sera contrôlé par "
        "l'équipe d'instruction.",
        legal_basis=RULES_BY_ID["R06"].legal_basis,
    )
    assert "Eligibility rule R06 failed" in caplog.text
    assert "ZeroDivisionError: boom" in caplog.text


def test_odd_data_never_raises(referential):
    dossier = DossierFactory(name="")
    odd = [
        MemberStructure(dossier=dossier, name="", siret="not a siret", category="unknown", role=MemberRole.LEAD),
        MemberStructure(dossier=dossier, name="", siret="", category="", ess_legal_form="bogus"),
    ]
    attachment = SimpleNamespace(kind="statuts", size=None, content_type=None, original_name="", removed_at=None)

    results = evaluate(dossier, members=odd, attachments=[attachment], budget_lines=[])

    assert len(results) == 12
    assert not [result for result in results if result.explanation.startswith("Vérification impossible")]
    assert results[0].explanation == (
        "La structure porteuse, une structure sans nom, relève de la catégorie « unknown », compatible avec une "
        "personne morale de droit privé."
    )


# summary(), as_dict() and the template -----------------------------------------------------------------------


def test_summary_counts_each_status(referential):
    dossier = complete_dossier()
    change(dossier, ENTERPRISE, category=MemberCategory.TRAINING)

    counted = summary(evaluate(dossier))

    assert counted.counts == {PASS: 8, FAIL: 1, WARNING: 0, NOT_APPLICABLE: 3}
    assert (counted.total, counted.has_failures, counted.has_warnings) == (12, True, False)
    assert summary([]).has_failures is False


def test_as_dict_is_plain_data(referential):
    [result] = evaluate(complete_dossier(), rule_ids=["R04"])

    assert result.as_dict() == {
        "rule_id": "R04",
        "title": "Au moins une entreprise hors ESS",
        "status": "pass",
        "explanation": f"1 entreprise hors ESS parmi les membres : {ENTERPRISE}.",
        "legal_basis": "Décret n° 2015-431 du 15 avril 2015, art. 3, 2°",
        "details": [],
    }


def test_template_renders_each_rule_with_its_status_in_words(referential):
    dossier = complete_dossier()
    change(dossier, ENTERPRISE, commune=commune("2A004"))
    change(dossier, COLLECTIVITE, commune=None)

    html = render_to_string("applications/includes/eligibility_results.html", {"results": evaluate(dossier)})

    assert html.count('<li class="fr-mb-3w" id="eligibilite-R') == 12
    assert html.count("fr-badge--success") == 8
    assert html.count("fr-badge--warning") == 1
    assert html.count("fr-badge--info") == 3
    assert "Respecté" in html and "À vérifier" in html and "Sans objet" in html
    assert "Base : Décret n° 2015-431 du 15 avril 2015, art. 3, 1°" in html
    assert f"<li>1 membre est situé hors du territoire déclaré : {ENTERPRISE} (Ajaccio).</li>" in html


def test_template_without_results():
    html = render_to_string("applications/includes/eligibility_results.html", {"results": []})

    assert "<p>Aucun critère d'éligibilité à afficher.</p>" in html
