"""The PTCE émergents (issue 11, item 4): their badge, the bouquet de services they request, staff's follow-up of
each request (status, notes, compagnon) and the e-mails about it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.enums import BouquetNeed, DossierState, PhaseKind
from applications.models import DossierInvitation, StaffNotification
from applications.services import notifications as staff_notifications
from applications.services.workflow import transition
from ptce_ami.accounts.enums import NotificationFrequency
from ptce_ami.core.models import OutboundEmail
from reviews.enums import DecisionOutcome, RequestStatus
from reviews.models import BouquetRequest, BouquetRequestChange, Compagnon
from reviews.services import bouquet
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.reviews.factories import AssignmentFactory, BouquetRequestFactory, CompagnonFactory, decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return RegionFactory()


@pytest.fixture
def corse():
    return RegionFactory(code="94", name="Corse", cress_name="CRESS Corse")


@pytest.fixture
def staff(region, corse):
    return {
        "instructeur": UserFactory(instructeur=True, email="instructeur@tresor.fr"),
        "partenaire": UserFactory(partenaire=True, email="cress-ara@example.fr", regions=[region]),
        "partenaire_corse": UserFactory(partenaire=True, email="cress-corse@example.fr", regions=[corse]),
        "evaluateur": UserFactory(evaluateur=True, email="expert@example.fr"),
    }


def emergent(region=None, *, by=None, **kwargs):
    """A phase-1 laureate whose decision is published (by ``by``, an instructeur)."""
    dossier = DossierFactory(submitted=True, region=region or RegionFactory(), **kwargs)
    decide(dossier, by=by)
    return dossier


def bouquet_url(dossier):
    return reverse("bouquet:services", kwargs={"reference": dossier.reference})


def request_url(bouquet_request):
    return reverse("reviews:bouquet_request", kwargs={"pk": bouquet_request.pk})


# The badge ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "state", "badge"),
    [
        (PhaseKind.PHASE1, DossierState.LAUREATE, "PTCE émergent"),
        (PhaseKind.PHASE2, DossierState.LAUREATE, "Lauréat phase 2"),
        (PhaseKind.PHASE1, DossierState.ELIGIBLE, ""),
        (PhaseKind.PHASE1, DossierState.NOT_RETAINED, ""),
        (PhaseKind.PHASE1, DossierState.IN_REVIEW, ""),
    ],
)
def test_the_badge_names_laureates_by_their_phase(kind, state, badge):
    dossier = DossierFactory.build(phase=PhaseFactory.build(kind=kind), state=state)

    assert dossier.laureate_badge == badge
    assert dossier.is_ptce_emergent == (badge == "PTCE émergent")


def pages_showing(dossier, client, people):
    """Which pages show the badge "PTCE émergent", as each person sees them."""
    pages = {
        "porteur-list": (dossier.owner, reverse("applications:dossier_list")),
        "porteur-home": (dossier.owner, reverse("site:dashboard")),
        "porteur-page": (dossier.owner, dossier.get_absolute_url()),
        "staff-list": (people["instructeur"], reverse("reviews:dossier_list")),
        "staff-page": (people["instructeur"], reverse("reviews:dossier", kwargs={"reference": dossier.reference})),
        "reviewer-page": (
            people["reviewer"],
            reverse("reviews:review", kwargs={"assignment_id": people["assignment"].pk}),
        ),
    }
    shown = set()
    for name, (user, url) in pages.items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, name
        if "PTCE émergent</p>" in response.content.decode():
            shown.add(name)
    return shown


def test_the_badge_shows_once_the_decision_is_published_and_never_before(client, region, staff):
    dossier = DossierFactory(submitted=True, region=region)
    assignment = AssignmentFactory(dossier=dossier, confirmed=True)
    people = {**staff, "reviewer": assignment.reviewer, "assignment": assignment}
    decision = decide(dossier, published=False)

    assert pages_showing(dossier, client, people) == set()

    # What the publication does (another part of the issue): the decision is published, the dossier moves.
    decision.published_at = decision.decided_at
    decision.save()
    transition(dossier, "select_laureate", by=staff["instructeur"])

    assert pages_showing(dossier, client, people) == {
        "porteur-list",
        "porteur-home",
        "porteur-page",
        "staff-list",
        "staff-page",
        "reviewer-page",
    }


def test_a_phase_2_laureate_is_badged_lauréat_phase_2_in_the_staff_list(client, region, staff):
    dossier = DossierFactory(submitted=True, region=region, phase=PhaseFactory(kind=PhaseKind.PHASE2))
    decide(dossier, amount=100_000)
    client.force_login(staff["instructeur"])

    content = client.get(reverse("reviews:dossier_list")).content.decode()

    assert "Lauréat phase 2</p>" in content
    assert "PTCE émergent</p>" not in content


# Who reaches the bouquet -------------------------------------------------------------------------------------------


def test_the_porteurs_of_a_ptce_emergent_reach_its_bouquet(client, region):
    dossier = emergent(region)
    coeditor = UserFactory(email="co-editrice@example.fr")
    DossierInvitation.objects.create(dossier=dossier, email=coeditor.email, invited_by=dossier.owner)

    for user in (dossier.owner, coeditor):
        client.force_login(user)
        response = client.get(bouquet_url(dossier))
        assert response.status_code == 200
        assert [value for value, _label in response.context["form"].fields["service"].choices] == BouquetNeed.values

    page = client.get(dossier.get_absolute_url()).content.decode()
    assert bouquet_url(dossier) in page


def test_an_outsider_gets_404_and_never_learns_the_page_exists(client, region, staff):
    dossier = emergent(region)

    for user in (UserFactory(), staff["partenaire_corse"], staff["evaluateur"]):
        client.force_login(user)
        assert client.get(bouquet_url(dossier)).status_code == 404
        assert client.post(bouquet_url(dossier), {"service": "dla"}).status_code == 404
    assert not BouquetRequest.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda region: DossierFactory(submitted=True, region=region), id="submitted"),
        pytest.param(
            lambda region: decide(DossierFactory(submitted=True, region=region), published=False).dossier,
            id="provisional-laureate",
        ),
        pytest.param(
            lambda region: (
                decide(DossierFactory(submitted=True, region=region), outcome=DecisionOutcome.NOT_RETAINED).dossier
            ),
            id="not-retained",
        ),
        pytest.param(
            lambda region: (
                decide(
                    DossierFactory(submitted=True, region=region, phase=PhaseFactory(kind=PhaseKind.PHASE2)), amount=1
                ).dossier
            ),
            id="phase-2-laureate",
        ),
    ],
)
def test_the_porteurs_of_another_dossier_are_told_the_bouquet_is_for_ptce_emergents(client, region, make):
    dossier = make(region)
    client.force_login(dossier.owner)

    for response in (client.get(bouquet_url(dossier)), client.post(bouquet_url(dossier), {"service": "dla"})):
        assert response.status_code == 403
        assert "réservé aux PTCE émergents" in response.content.decode()
    assert bouquet_url(dossier) not in client.get(dossier.get_absolute_url()).content.decode()
    assert not BouquetRequest.objects.exists()


def test_staff_are_sent_to_their_own_pages_not_the_porteurs(client, region, staff):
    dossier = emergent(region)

    for user in (staff["instructeur"], staff["partenaire"]):
        client.force_login(user)
        assert client.get(bouquet_url(dossier)).status_code == 403


def test_a_reopened_decision_closes_the_bouquet_to_new_requests(client, region, staff):
    dossier = emergent(region)
    transition(dossier, "reopen", by=staff["instructeur"], comment="Pièce manquante découverte après publication.")
    client.force_login(dossier.owner)

    assert client.post(bouquet_url(dossier), {"service": "dla"}).status_code == 403
    with pytest.raises(bouquet.NotEmergent):
        bouquet.request_service(dossier, service="dla", note="", by=dossier.owner)
    assert not BouquetRequest.objects.exists()


# Requesting a service ------------------------------------------------------------------------------------------------


def test_a_request_is_recorded_once_and_staff_of_the_region_are_notified(
    client, region, staff, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = emergent(region, by=staff["instructeur"], name="Pôle des Deux Rives", reference="PTCE-2026-P1-0042")
    client.force_login(dossier.owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bouquet_url(dossier), {"service": "tsf", "note": "  Un pôle qui anime un tiers-lieu. "})

    assert response.status_code == 302
    made = BouquetRequest.objects.get()
    assert (made.dossier, made.service, made.status, made.porteur_note, made.requested_by) == (
        dossier,
        BouquetNeed.TSF,
        RequestStatus.REQUESTED,
        "Un pôle qui anime un tiers-lieu.",
        dossier.owner,
    )
    notified = StaffNotification.objects.filter(kind="bouquet_requested", event_key=f"bouquet:{made.pk}")
    assert sorted(notified.values_list("recipient__email", flat=True)) == [
        "cress-ara@example.fr",
        "instructeur@tresor.fr",
    ]
    assert sorted(address for message in mailoutbox for address in message.to) == [
        "cress-ara@example.fr",
        "instructeur@tresor.fr",
    ]
    message = mailoutbox[0]
    assert message.subject == (
        "AMI PTCE — nouvelle demande au bouquet de services : dossier PTCE-2026-P1-0042 (Auvergne-Rhône-Alpes)"
    )
    staff_page = reverse("reviews:dossier", kwargs={"reference": dossier.reference})
    assert f"Suivre la demande : http://127.0.0.1:8000{staff_page}#bouquet" in message.body

    # The same service again (another tab, a co-editor): refused at the field, nothing sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(bouquet_url(dossier), {"service": "tsf", "note": "Encore"})
    assert again.status_code == 200
    assert again.context["form"].errors["service"] == [
        "Ce service est déjà demandé ou n'existe pas : choisissez un service de la liste."
    ]
    assert BouquetRequest.objects.count() == 1
    assert len(mailoutbox) == 2


def test_a_request_made_meanwhile_is_refused_with_its_date_and_status(client, region):
    dossier = emergent(region)
    client.force_login(dossier.owner)
    page = client.get(bouquet_url(dossier))  # the form lists TSF
    BouquetRequestFactory(dossier=dossier, service=BouquetNeed.TSF, status=RequestStatus.IN_PROGRESS)

    with pytest.raises(bouquet.AlreadyRequested) as refused:
        bouquet.request_service(dossier, service=BouquetNeed.TSF, note="", by=dossier.owner)

    assert page.status_code == 200
    assert refused.value.request.status == RequestStatus.IN_PROGRESS
    assert BouquetRequest.objects.count() == 1


def test_the_page_lists_requests_with_their_status_and_offers_the_rest(client, region):
    dossier = emergent(region, bouquet_needs=["dla", "visites"])
    compagnon = CompagnonFactory(name="Les Anges Gardins")
    BouquetRequestFactory(
        dossier=dossier, service=BouquetNeed.TSF, status=RequestStatus.IN_PROGRESS, compagnon=compagnon
    )
    client.force_login(dossier.owner)

    response = client.get(bouquet_url(dossier))

    content = response.content.decode()
    assert "Les Anges Gardins" in content
    assert "En cours</p>" in content
    choices = dict(response.context["form"].fields["service"].choices)
    assert "tsf" not in choices
    assert choices["dla"].endswith("(besoin indiqué dans votre dossier)")
    assert not choices["veille"].endswith("(besoin indiqué dans votre dossier)")


# Staff follow requests ---------------------------------------------------------------------------------------------


def test_staff_list_shows_each_its_scope_and_others_get_404(client, region, corse, staff):
    here = BouquetRequestFactory(dossier=emergent(region), service=BouquetNeed.DLA)
    there = BouquetRequestFactory(dossier=emergent(corse), service=BouquetNeed.VISITS)

    def listed(user):
        client.force_login(user)
        response = client.get(reverse("reviews:bouquet_requests"))
        assert response.status_code == 200
        return {request.pk for request in response.context["page"].object_list}

    assert listed(staff["instructeur"]) == {here.pk, there.pk}
    assert listed(staff["partenaire"]) == {here.pk}
    assert client.get(request_url(there)).status_code == 404
    for outsider in (staff["evaluateur"], here.dossier.owner):
        client.force_login(outsider)
        assert client.get(reverse("reviews:bouquet_requests")).status_code == 404
        assert client.get(request_url(here)).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "in_progress"}, {"dla-ara"}),
        ({"service": "visites"}, {"visites-corse"}),
        ({"region": "94"}, {"visites-corse"}),
        ({"q": "rives"}, {"dla-ara"}),
        ({"status": "n'importe quoi"}, {"dla-ara", "visites-corse"}),
    ],
)
def test_staff_list_filters_by_status_service_and_region(client, region, corse, staff, query, expected):
    requests = {
        "dla-ara": BouquetRequestFactory(
            dossier=emergent(region, name="Pôle des Rives"), service="dla", status=RequestStatus.IN_PROGRESS
        ),
        "visites-corse": BouquetRequestFactory(dossier=emergent(corse, name="Pôle du Maquis"), service="visites"),
    }
    client.force_login(staff["instructeur"])

    response = client.get(reverse("reviews:bouquet_requests"), query)

    names = {name for name, request in requests.items() if request in response.context["page"].object_list}
    assert names == expected


def list_queries(client, count, region, instructeur):
    BouquetRequest.objects.all().delete()
    compagnon = CompagnonFactory()
    for _ in range(count):
        BouquetRequestFactory(dossier=emergent(region), compagnon=compagnon)
    client.force_login(instructeur)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reviews:bouquet_requests"))
    assert len(response.context["page"].object_list) == count
    return len(captured)


def test_the_staff_list_costs_the_same_queries_for_one_or_three_requests(client, region, staff):
    assert list_queries(client, 1, region, staff["instructeur"]) == list_queries(
        client, 3, region, staff["instructeur"]
    )


def test_the_staff_dossier_page_shows_the_dossiers_requests(client, region, staff):
    request = BouquetRequestFactory(dossier=emergent(region), service=BouquetNeed.FUNDING_WATCH)
    client.force_login(staff["partenaire"])

    content = client.get(reverse("reviews:dossier", kwargs={"reference": request.dossier.reference})).content.decode()

    assert 'id="bouquet"' in content
    assert request_url(request) in content


def follow(client, request, **data):
    payload = {"status": request.status, "compagnon": request.compagnon_id or "", "staff_notes": "", **data}
    return client.post(request_url(request), payload)


def test_an_instructeur_moves_a_request_on_and_the_porteurs_hear_of_it_once(
    client, region, staff, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = emergent(region, reference="PTCE-2026-P1-0007", name="Pôle des Rives")
    DossierInvitation.objects.create(dossier=dossier, email="co-editrice@example.fr", invited_by=dossier.owner)
    request = BouquetRequestFactory(dossier=dossier, service=BouquetNeed.DLA)
    client.force_login(staff["instructeur"])

    with django_capture_on_commit_callbacks(execute=True):
        response = follow(client, request, status="in_progress", staff_notes="DLA du Rhône contacté.")
        follow(client, request, status="in_progress", staff_notes="DLA du Rhône contacté.")  # a double click
        follow(client, request, status="in_progress", staff_notes="Rendez-vous le 3 mars.")  # notes only

    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.staff_notes) == (RequestStatus.IN_PROGRESS, "Rendez-vous le 3 mars.")
    change = BouquetRequestChange.objects.get()
    assert (change.from_status, change.to_status, change.compagnon, change.by) == (
        RequestStatus.REQUESTED,
        RequestStatus.IN_PROGRESS,
        None,
        staff["instructeur"],
    )
    assert sorted(address for message in mailoutbox for address in message.to) == [
        "co-editrice@example.fr",
        dossier.owner.email,
    ]
    message = mailoutbox[0]
    assert message.subject == (
        "AMI PTCE — bouquet de services : suivi de votre demande « Accompagnement par le dispositif local "
        "d'accompagnement (DLA) » (PTCE-2026-P1-0007)"
    )
    assert "Suivi : En cours." in message.body
    assert "Rendez-vous" not in message.body and "DLA du Rhône" not in message.body
    assert f"Voir vos demandes : http://127.0.0.1:8000{bouquet_url(dossier)}" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        follow(client, request, status="done", staff_notes="Rendez-vous le 3 mars.")
    assert len(mailoutbox) == 4
    assert BouquetRequestChange.objects.count() == 2


def test_an_instructeur_pairs_a_transfer_with_a_compagnon(
    client, region, staff, mailoutbox, django_capture_on_commit_callbacks
):
    request = BouquetRequestFactory(dossier=emergent(region), service=BouquetNeed.TSF)
    compagnon = Compagnon.objects.get(name="Clus'Ter Jura")
    compagnon.contact_email = "contact@clusterjura.example"
    compagnon.save()
    client.force_login(staff["instructeur"])

    with django_capture_on_commit_callbacks(execute=True):
        follow(client, request, status="in_progress", compagnon=compagnon.pk)
        follow(client, request, status="in_progress", compagnon=compagnon.pk)

    request.refresh_from_db()
    assert request.compagnon == compagnon
    change = BouquetRequestChange.objects.get()
    assert (change.to_status, change.compagnon) == (RequestStatus.IN_PROGRESS, compagnon)
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "PTCE compagnon désigné pour le transfert de savoir-faire : Clus'Ter Jura." in body
    assert "Contact : contact@clusterjura.example" in body
    porteur = request.dossier.owner
    client.force_login(porteur)
    assert "Clus&#x27;Ter Jura" in client.get(bouquet_url(request.dossier)).content.decode()


def test_only_available_compagnons_are_offered_and_only_for_a_transfer(client, region, staff):
    tsf = BouquetRequestFactory(dossier=emergent(region), service=BouquetNeed.TSF)
    dla = BouquetRequestFactory(dossier=tsf.dossier, service=BouquetNeed.DLA)
    retired = CompagnonFactory(name="Pôle en retrait", active=False)
    client.force_login(staff["instructeur"])

    response = follow(client, tsf, status="in_progress", compagnon=retired.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["compagnon"]
    assert "compagnon" not in client.get(request_url(dla)).context["form"].fields

    follow(client, dla, status="done", compagnon=retired.pk)
    dla.refresh_from_db()
    assert (dla.status, dla.compagnon) == (RequestStatus.DONE, None)
    with pytest.raises(ValueError, match="takes no compagnon"):
        bouquet.follow_up(dla, status="done", compagnon=retired, staff_notes="", by=staff["instructeur"])


def test_a_regional_partner_reads_the_requests_of_their_region_but_cannot_change_them(client, region, staff):
    request = BouquetRequestFactory(dossier=emergent(region), service=BouquetNeed.TSF, staff_notes="Piste : FE2I.")
    client.force_login(staff["partenaire"])

    page = client.get(request_url(request))
    refused = follow(client, request, status="done")

    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Piste : FE2I." in page.content.decode()
    assert refused.status_code == 403
    assert "les partenaires régionaux consultent celles de leur région" in refused.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED
    assert not BouquetRequestChange.objects.exists()


def test_the_request_page_shows_its_history(client, region, staff):
    request = BouquetRequestFactory(dossier=emergent(region), service=BouquetNeed.TSF)
    compagnon = CompagnonFactory(name="PTCE Sud Aquitaine (CBE du Seignanx)")
    bouquet.follow_up(request, status="in_progress", compagnon=compagnon, staff_notes="", by=staff["instructeur"])
    client.force_login(staff["instructeur"])

    content = client.get(request_url(request)).content.decode()

    assert "Compagnon désigné : PTCE Sud Aquitaine (CBE du Seignanx)" in content
    assert staff["instructeur"].display_name in content


# Digest, seeded compagnons ---------------------------------------------------------------------------------------


def test_a_daily_digest_lists_the_new_request_with_its_link(region, mailoutbox, django_capture_on_commit_callbacks):
    daily = UserFactory(instructeur=True, notification_frequency=NotificationFrequency.DAILY)
    dossier = emergent(region)

    with django_capture_on_commit_callbacks(execute=True):  # the request, then its task (the immediate e-mails)
        bouquet.request_service(dossier, service="veille", note="", by=dossier.owner)
    with django_capture_on_commit_callbacks(execute=True):
        sent = staff_notifications.send_daily_digests()

    assert sent == 1
    staff_page = reverse("reviews:dossier", kwargs={"reference": dossier.reference})
    body = mailoutbox[-1].body
    assert "Nouvelle demande au bouquet de services" in body
    assert f"http://127.0.0.1:8000{staff_page}#bouquet" in body
    assert OutboundEmail.objects.filter(recipient=daily.email).count() == 1


def test_the_compagnons_that_public_sources_name_are_seeded_with_their_source():
    seeded = dict(Compagnon.objects.values_list("name", "source_url"))

    assert seeded == {
        "FE2I": "https://avise.org/actualites/le-transfert-de-savoir-faire-lexperience-du-ptce-ciel",
        "Clus'Ter Jura": "https://www.avise.org/actualites/le-transfert-de-savoir-faire-lexperience-du-ptce-coopactions",
        "PTCE Sud Aquitaine (CBE du Seignanx)": (
            "https://avise.org/actualites/le-transfert-de-savoir-faire-lexperience-du-ptce-autonhommes"
        ),
        "Les Anges Gardins": (
            "https://avise.org/actualites/le-transfert-de-savoir-faire-lexperience-du-ptce-emergence-henin-carvin"
        ),
    }
    assert all(Compagnon.objects.values_list("active", flat=True))


def test_instructeurs_keep_the_list_of_compagnons_in_the_admin(client, staff):
    client.force_login(staff["instructeur"])

    assert client.get(reverse("admin:reviews_compagnon_changelist")).status_code == 200
    response = client.post(
        reverse("admin:reviews_compagnon_add"),
        {"name": "Pôle Sud Archer", "active": "on", "source_url": "", "note": "", "topics": "", "contact_email": ""},
    )
    assert response.status_code == 302
    assert Compagnon.objects.filter(name="Pôle Sud Archer").exists()
    assert client.get(reverse("admin:reviews_bouquetrequest_changelist")).status_code == 200
    client.force_login(staff["partenaire"])
    assert client.get(reverse("admin:reviews_compagnon_changelist")).status_code in (302, 403)
