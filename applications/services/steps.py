"""The steps of the guided dossier form, in order, and the model fields each step edits."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    fields: tuple = ()  # Dossier fields saved by the step's form (also what its fingerprint covers)
    lead: bool = False  # the step also edits the lead member structure
    kind: str = "form"  # "form", "members" or "attachments"

    @property
    def number(self):
        return STEP_SLUGS.index(self.slug) + 1


# The territory step's model fields that its one territory field (communes, EPCI, départements) edits together.
TERRITORY_FIELDS = ("communes", "epcis", "departements")

STEPS = (
    Step("pole", _("Le pôle"), ("name", "summary", "started_on", "website", "stage", "sectors")),
    Step(
        "porteur",
        _("La structure porteuse"),
        (
            "representative_name",
            "representative_title",
            "contact_name",
            "contact_email",
            "contact_phone",
            "animation_fte",
        ),
        lead=True,
    ),
    Step("membres", _("Les membres du pôle"), kind="members"),
    Step(
        "territoire",
        _("Le territoire"),
        (*TERRITORY_FIELDS, "territory_type", "includes_qpv", "territory_description"),
    ),
    Step("cooperation", _("Stratégie et gouvernance"), ("shared_strategy", "governance", "collectivites_link")),
    Step(
        "projet",
        _("Innovation, modèle économique et impact"),
        ("innovation", "economic_model", "expected_impact", "jobs_expected"),
    ),
    Step("besoins", _("Besoins d'accompagnement"), ("bouquet_needs", "needs_comment")),
    Step("pieces", _("Les pièces jointes"), kind="attachments"),
    Step("engagements", _("Engagements"), ("charter_adherence", "certify_accurate", "consent_publication")),
)
STEP_SLUGS = [step.slug for step in STEPS]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
LEAD_FIELDS = ("name", "siret", "category", "ess_legal_form", "esus_approved", "commune")


def get_step(slug):
    return STEPS_BY_SLUG[slug]


def form_fields(slug):
    """The fields of step ``slug`` that its ModelForm edits one by one (the territory has one field of its own)."""
    return [name for name in get_step(slug).fields if name not in TERRITORY_FIELDS]


def next_step(step):
    index = STEP_SLUGS.index(step.slug)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def previous_step(step):
    index = STEP_SLUGS.index(step.slug)
    return STEPS[index - 1] if index > 0 else None
