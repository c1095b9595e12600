"""The administrateur sees what staff see and has the Django admin (DESIGN §2), but never acts as a porteur: every
porteur action on someone else's dossier is a 403 (or a 404 where staff do not see the dossier), never a 500,
and changes nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications.enums import AttachmentKind, DossierState, MemberRole
from applications.models import CorrectionRequest, Dossier, DossierInvitation
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import PDF_BYTES, AttachmentFactory, DossierFactory, MemberFactory, PhaseFactory

pytestmark = pytest.mark.django_db


def make_dossier(state):
    dossier = DossierFactory(region=RegionFactory(), submitted=True)
    MemberFactory(dossier=dossier, lead=True)
    MemberFactory(dossier=dossier)
    AttachmentFactory(dossier=dossier)
    DossierInvitation.objects.create(dossier=dossier, email="coediteur@example.fr", invited_by=dossier.owner)
    if state == DossierState.CORRECTIONS_REQUESTED:
        CorrectionRequest.objects.create(
            dossier=dossier,
            requested_by=UserFactory(instructeur=True),
            reason="Complétez le pôle.",
            sections=["pole", "membres", "pieces"],
            due_at=timezone.now() + datetime.timedelta(days=10),
        )
    Dossier.objects.filter(pk=dossier.pk).update(state=state)
    dossier.refresh_from_db()
    return dossier


def member_id(dossier):
    return dossier.members.exclude(role=MemberRole.LEAD).first().pk


def porteur_actions(dossier):
    """(method, URL name, URL kwargs, data) of every porteur action on a dossier."""
    ref = {"reference": dossier.reference}
    member = {**ref, "member_id": member_id(dossier)}
    attachment = {**ref, "attachment_id": dossier.attachments.first().pk}
    invitation = {**ref, "invitation_id": dossier.invitations.first().pk}
    upload = {"kind": AttachmentKind.STATUTES, "file": SimpleUploadedFile("statuts.pdf", PDF_BYTES)}
    member_data = {"name": "Structure de l'administrateur", "siret": "", "category": "enterprise", "role": "member"}
    return [
        ("get", "step", {**ref, "step": "pole"}, None),
        ("post", "step", {**ref, "step": "pole"}, {"name": "Renommé par l'administrateur"}),
        ("get", "members", ref, None),
        ("get", "member_create", ref, None),
        ("post", "member_create", ref, member_data),
        ("get", "member_edit", member, None),
        ("post", "member_edit", member, member_data),
        ("get", "member_delete", member, None),
        ("post", "member_delete", member, {}),
        ("get", "attachments", ref, None),
        ("post", "attachments", ref, upload),
        ("post", "attachment_delete", attachment, {}),
        ("get", "coeditors", ref, None),
        ("post", "coeditors", ref, {"email": "complice@example.fr"}),
        ("post", "coeditor_delete", invitation, {}),
        ("get", "summary", ref, None),
        ("post", "submit", ref, {}),
        ("post", "resubmit", ref, {}),
        ("get", "withdraw", ref, None),
        ("post", "withdraw", ref, {"comment": "Retiré par l'administrateur"}),
    ]


def snapshot(dossier):
    dossier.refresh_from_db()
    return (
        dossier.state,
        dossier.name,
        sorted(dossier.members.values_list("name", flat=True)),
        sorted(dossier.attachments.current().values_list("pk", flat=True)),
        sorted(dossier.invitations.values_list("email", flat=True)),
        dossier.transitions.count(),
    )


@pytest.mark.parametrize("state", [DossierState.SUBMITTED, DossierState.CORRECTIONS_REQUESTED, DossierState.IN_REVIEW])
def test_the_administrateur_never_acts_as_a_porteur_on_another_dossier(client, state):
    dossier = make_dossier(state)
    administrateur = UserFactory(administrateur=True)
    assert administrateur.is_superuser
    client.force_login(administrateur)
    before = snapshot(dossier)

    outcomes = {}
    for method, name, kwargs, data in porteur_actions(dossier):
        response = getattr(client, method)(reverse(f"applications:{name}", kwargs=kwargs), data)
        outcomes[method, name] = response.status_code

    assert outcomes == {key: 403 for key in outcomes}
    assert snapshot(dossier) == before
    # What staff may do stays open: the dossier's page.
    assert client.get(dossier.get_absolute_url()).status_code == 200


def test_the_administrateur_does_not_create_dossiers_in_their_own_name(client):
    phase = PhaseFactory()
    client.force_login(UserFactory(administrateur=True))

    response = client.post(reverse("applications:dossier_create", kwargs={"phase_id": phase.pk}))

    assert response.status_code == 403
    assert not Dossier.objects.exists()


def test_the_administrateur_does_not_see_drafts(client):
    dossier = DossierFactory()
    client.force_login(UserFactory(administrateur=True))

    assert client.get(dossier.get_absolute_url()).status_code == 404
    assert client.post(reverse("applications:withdraw", kwargs={"reference": dossier.reference})).status_code == 404


def test_a_refused_write_says_why(client):
    dossier = make_dossier(DossierState.SUBMITTED)
    client.force_login(UserFactory(administrateur=True))

    response = client.post(reverse("applications:withdraw", kwargs={"reference": dossier.reference}))

    assert response.status_code == 403
    assert "Seul le titulaire du dossier" in response.content.decode()
