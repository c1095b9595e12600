import pytest

from applications.enums import MemberRole
from applications.services.completeness import missing_items
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db


def missing(dossier):
    return [(item.step, str(item.message)) for item in missing_items(dossier, *dossier.loaded_parts())]


def test_complete_dossier_misses_nothing(referential):
    assert missing(DossierFactory(complete=True)) == []


def test_empty_dossier_lists_every_step(referential):
    dossier = DossierFactory(name="")

    steps = {step for step, _message in missing(dossier)}

    assert steps == {
        "pole",
        "porteur",
        "membres",
        "territoire",
        "cooperation",
        "projet",
        "besoins",
        "pieces",
        "engagements",
    }
    assert ("pole", "« nom du pôle » n'est pas renseigné.") in missing(dossier)
    assert ("membres", "Le pôle doit réunir au moins trois structures (vous en avez 0).") in missing(dossier)
    assert ("pieces", "Pièce obligatoire manquante : Statuts de la structure porteuse.") in missing(dossier)


def test_member_without_siret_commune_or_ess_form_is_named(referential):
    dossier = DossierFactory(complete=True)
    member = dossier.members.exclude(role=MemberRole.LEAD).first()
    member.siret, member.commune, member.category, member.ess_legal_form = "", None, "ess_enterprise", ""
    member.save()

    messages = [message for step, message in missing(dossier) if step == "membres"]

    assert messages == [
        f"Le SIRET de {member.name} n'est pas renseigné.",
        f"La forme juridique de l'ESS de {member.name} n'est pas indiquée.",
        f"La commune de {member.name} n'est pas indiquée.",
    ]
