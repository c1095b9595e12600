"""The steps of the guided dossier form, in order, for each kind of phase, and the model fields each step edits.

A phase-1 dossier and a phase-2 dossier share the description of the pôle (its first six steps, which a phase-2
dossier takes over from phase 1); phase 2 then asks for its action plan, staffing, the grant requested, the budget,
what happens after the grant and the indicators. A step's slug means the same step in both lists (its number is its
place in the list of the dossier's phase): ``steps_for(kind)``, ``get_step(slug, kind)``.
"""

from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _

from applications.enums import PhaseKind


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple = ()  # Dossier fields saved by the step's form (also what its fingerprint covers)
    lead: bool = False  # the step also edits the lead member structure
    kind: str = "form"  # "form", "members", "attachments" or "budget"
    number: int = 0  # its place in the steps of its phase (1-based)


# The territory step's model fields that its one territory field (communes, EPCI, départements) edits together.
TERRITORY_FIELDS = ("communes", "epcis", "departements")

POLE = Step("pole", _("Le pôle"), ("name", "summary", "started_on", "website", "stage", "sectors"))
PORTEUR = Step(
    "porteur",
    _("La structure porteuse"),
    ("representative_name", "representative_title", "contact_name", "contact_email", "contact_phone", "animation_fte"),
    lead=True,
)
MEMBRES = Step("membres", _("Les membres du pôle"), kind="members")
TERRITOIRE = Step(
    "territoire", _("Le territoire"), (*TERRITORY_FIELDS, "territory_type", "includes_qpv", "territory_description")
)
COOPERATION = Step(
    "cooperation", _("Stratégie et gouvernance"), ("shared_strategy", "governance", "collectivites_link")
)
PROJET = Step(
    "projet",
    _("Innovation, modèle économique et impact"),
    ("innovation", "economic_model", "expected_impact", "jobs_expected"),
)
BESOINS = Step("besoins", _("Besoins d'accompagnement"), ("bouquet_needs", "needs_comment"))
PIECES = Step("pieces", _("Les pièces jointes"), kind="attachments")
ENGAGEMENTS = Step("engagements", _("Engagements"), ("charter_adherence", "certify_accurate", "consent_publication"))
# Phase 2 (DOMAIN_FACTS (a), "Proposed phase-2 form").
PLAN = Step("plan", _("Plan d'action sur deux ans"), ("action_levers", "action_plan"))
MOYENS = Step("moyens", _("Moyens humains"), ("staffing", "staffing_fte"))
AIDE = Step("aide", _("Aide demandée"), kind="grant")
BUDGET = Step("budget", _("Budget prévisionnel"), kind="budget")
APRES = Step("apres", _("Après l'aide"), ("post_grant_plan",))
INDICATEURS = Step("indicateurs", _("Indicateurs et évaluation"), ("indicators",))


def numbered(*steps):
    return tuple(replace(step, number=number) for number, step in enumerate(steps, start=1))


PHASE1_STEPS = numbered(POLE, PORTEUR, MEMBRES, TERRITOIRE, COOPERATION, PROJET, BESOINS, PIECES, ENGAGEMENTS)
PHASE2_STEPS = numbered(
    POLE,
    PORTEUR,
    MEMBRES,
    TERRITOIRE,
    COOPERATION,
    PROJET,
    PLAN,
    MOYENS,
    AIDE,
    BUDGET,
    APRES,
    INDICATEURS,
    PIECES,
    ENGAGEMENTS,
)
STEPS_BY_KIND = {PhaseKind.PHASE1: PHASE1_STEPS, PhaseKind.PHASE2: PHASE2_STEPS}
# The phase-1 steps (the guided form before phase 2 had its own); prefer steps_for(kind).
STEPS = PHASE1_STEPS
# Every step by its slug, whatever the phase (titles and fields; the number is that of the first list holding it).
STEPS_BY_SLUG = {step.slug: step for steps in reversed(STEPS_BY_KIND.values()) for step in steps}
STEP_SLUGS = list(STEPS_BY_SLUG)
LEAD_FIELDS = ("name", "siret", "category", "ess_legal_form", "esus_approved", "commune")


def steps_for(kind):
    """The steps of a dossier of a phase of ``kind`` (a PhaseKind value), in order."""
    return STEPS_BY_KIND[kind]


def dossier_steps(dossier):
    return steps_for(dossier.phase.kind)


def slugs_for(kind):
    return [step.slug for step in steps_for(kind)]


def get_step(slug, kind=PhaseKind.PHASE1):
    """The step ``slug`` of the phase kind ``kind``; KeyError when that phase has no such step."""
    for step in steps_for(kind):
        if step.slug == slug:
            return step
    raise KeyError(slug)


def form_fields(slug):
    """The fields of step ``slug`` that its ModelForm edits one by one (the territory has one field of its own)."""
    return [name for name in STEPS_BY_SLUG[slug].fields if name not in TERRITORY_FIELDS]


def next_step(step, kind=PhaseKind.PHASE1):
    steps = steps_for(kind)
    return steps[step.number] if step.number < len(steps) else None


def previous_step(step, kind=PhaseKind.PHASE1):
    return steps_for(kind)[step.number - 2] if step.number > 1 else None
