"""The grants' pages: the porteurs' « Mon aide » section and report form, the staff list (filters, constant queries)
and a grant's page with its actions; who may read (partners of the region) and who may write (instructeurs)."""

import datetime
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.enums import ReportKind
from applications.models import DossierInvitation
from ptce_ami.core.models import OutboundEmail
from reviews.enums import GrantStatus, PaymentStatus, ReportStatus
from reviews.models import FollowUpSession, Grant
from reviews.services import grants
from tests.accounts.factories import RegionFactory, UserFactory
from tests.reviews.grants_helpers import approve, fresh, open_grant, phase2, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return RegionFactory()


@pytest.fixture
def people(region):
    corse = RegionFactory(code="94", name="Corse", cress_name="CRESS Corse")
    return {
        "instructeur": UserFactory(instructeur=True),
        "partenaire": UserFactory(partenaire=True, regions=[region]),
        "partenaire_corse": UserFactory(partenaire=True, regions=[corse]),
        "evaluateur": UserFactory(evaluateur=True),
        "porteur": UserFactory(),
    }


@pytest.fixture
def grant(region, people):
    return open_grant(region=region, by=people["instructeur"])


def grant_url(grant):
    return reverse("reviews:grant", kwargs={"reference": grant.dossier.reference})


def action_url(grant, action, pk=None):
    kwargs = {"reference": grant.dossier.reference, "action": action}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse("reviews:grant_action", kwargs=kwargs)


def report_url(grant, kind=ReportKind.INTERIM):
    return reverse("grants:report", kwargs={"reference": grant.dossier.reference, "kind": kind})


# Who sees what -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("instructeur", 200), ("partenaire", 200), ("partenaire_corse", 404), ("evaluateur", 404), ("porteur", 404)],
)
def test_the_grant_page_and_list_are_staffs_and_partners_of_the_region(client, grant, people, who, expected):
    client.force_login(people[who])

    assert client.get(grant_url(grant)).status_code == expected
    assert client.get(reverse("reviews:grant_list")).status_code == (200 if who.startswith(("inst", "part")) else 404)


def test_the_owner_of_the_dossier_gets_no_staff_page(client, grant):
    client.force_login(grant.dossier.owner)

    assert client.get(grant_url(grant)).status_code == 404


def test_a_partner_of_the_region_reads_the_grant_but_gets_403_on_writes(client, grant, people):
    client.force_login(people["partenaire"])

    page = client.get(grant_url(grant)).content.decode()
    response = client.post(action_url(grant, "suspend"), {"suspension-motivation": "Non."})

    assert "Suspendre l'aide" not in page
    assert response.status_code == 403
    assert fresh(grant).status == GrantStatus.ACTIVE


def test_an_outsider_partner_gets_404_on_writes(client, grant, people):
    client.force_login(people["partenaire_corse"])

    assert client.post(action_url(grant, "suspend"), {"suspension-motivation": "Non."}).status_code == 404


# Staff actions -----------------------------------------------------------------------------------------------------


def test_staff_record_the_agreement_then_a_payment_of_the_payable_tranche(client, grant, people):
    client.force_login(people["instructeur"])
    first = grant.payments.order_by("position").first()

    client.post(action_url(grant, "agreement"), {"agreement-signed_on": "2026-03-02"})
    response = client.post(action_url(grant, "payment", first.pk), {f"payment-{first.pk}-paid_on": "2026-03-20"})

    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.paid_on) == (PaymentStatus.PAID, datetime.date(2026, 3, 20))


def test_a_payment_of_a_tranche_not_yet_due_is_refused_with_its_reason(client, grant, people):
    client.force_login(people["instructeur"])
    second = grant.payments.order_by("position")[1]

    response = client.post(
        action_url(grant, "payment", second.pk), {f"payment-{second.pk}-paid_on": "2026-03-20"}, follow=True
    )

    assert "pas encore dû" in response.content.decode()
    second.refresh_from_db()
    assert second.status == PaymentStatus.SCHEDULED


def test_a_suspension_without_motivation_shows_the_error_next_to_the_field(client, grant, people):
    client.force_login(people["instructeur"])

    response = client.post(action_url(grant, "suspend"), {"suspension-motivation": ""})

    content = response.content.decode()
    assert response.status_code == 400
    assert "Motivez la suspension" in content
    assert 'id="suspension-motivation-desc-error"' in content or "fr-input-group--error" in content
    assert fresh(grant).status == GrantStatus.ACTIVE


def test_a_change_request_on_a_report_needs_notes_next_to_the_field(client, grant, people):
    report = grant.reports.get(kind=ReportKind.INTERIM)
    grants.save_report(report, narrative="Bilan", indicators={}, spending={}, by=grant.dossier.owner, submit=True)
    client.force_login(people["instructeur"])
    prefix = f"review-{report.pk}"

    refused = client.post(action_url(grant, "review", report.pk), {f"{prefix}-outcome": "changes"})
    approved = client.post(action_url(grant, "review", report.pk), {f"{prefix}-outcome": "approve"})

    assert refused.status_code == 400
    assert "Dites au porteur ce qu'il doit compléter" in html.unescape(refused.content.decode())
    assert approved.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert grant.payments.get(position=2).status == PaymentStatus.PAYABLE


def test_a_follow_up_session_is_recorded_and_the_page_warns_below_two_a_year(client, grant, people):
    client.force_login(people["instructeur"])

    warned = html.unescape(client.get(grant_url(grant)).content.decode())
    client.post(
        action_url(grant, "followup"),
        {"followup-held_on": "2026-02-01", "followup-attendees": "DGT, CDC", "followup-notes": "Point d'étape."},
    )

    assert "Le comité de suivi s'est réuni 0 fois" in warned
    assert FollowUpSession.objects.get(grant=grant).attendees == "DGT, CDC"


def test_the_year3_form_appears_after_the_final_report_and_needs_an_amount_when_granted(client, grant, people):
    client.force_login(people["instructeur"])
    assert "year3-decision" not in client.get(grant_url(grant)).content.decode()
    approve(grant.reports.get(kind=ReportKind.FINAL), people["instructeur"])

    missing = client.post(action_url(grant, "year3"), {"year3-decision": "granted", "year3-motivation": "Bien."})
    done = client.post(
        action_url(grant, "year3"),
        {"year3-decision": "granted", "year3-amount": "20 000", "year3-motivation": "Bien."},
    )

    assert "Indiquez le montant" in missing.content.decode()
    assert done.status_code == 302
    assert fresh(grant).year3_amount == Decimal(20_000)


# The porteurs ------------------------------------------------------------------------------------------------------


def test_the_dossier_page_shows_mon_aide_with_tranches_and_reports(client, grant):
    client.force_login(grant.dossier.owner)

    content = client.get(grant.dossier.get_absolute_url()).content.decode()

    assert 'id="mon-aide"' in content
    assert "Premier versement" in content
    assert report_url(grant) in content


def test_the_porteur_saves_a_draft_then_submits_the_report(client, grant):
    client.force_login(grant.dossier.owner)
    data = {"narrative": "Nous avons animé six ateliers.", "indicator_0": "42", "spent_personnel": "30 000,50"}

    draft = client.post(report_url(grant), {**data, "draft": ""})
    report = grant.reports.get(kind=ReportKind.INTERIM)
    assert draft.status_code == 302
    assert report.status == ReportStatus.DRAFT
    assert report.indicators["Nombre de membres actifs"] == "42"
    incomplete = client.post(report_url(grant), {**data, "submit": ""})
    full = {
        **data,
        **{
            f"spent_{c}": "0"
            for c in ("fonctionnement", "prestations", "deplacements", "investissement", "autres_charges")
        },
    }
    submitted = client.post(report_url(grant), {**full, "submit": ""})

    assert incomplete.status_code == 200
    assert "Indiquez le montant dépensé" in incomplete.content.decode()
    assert "Nous avons animé six ateliers." in incomplete.content.decode()  # nothing lost
    assert submitted.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert {"category": "personnel", "spent": "30000.50"} in report.spending
    assert client.get(report_url(grant)).content.decode().count('name="narrative"') == 0  # read-only once submitted


def test_a_bad_amount_is_refused_next_to_its_field_and_nothing_typed_is_lost(client, grant):
    client.force_login(grant.dossier.owner)

    response = client.post(
        report_url(grant),
        {"narrative": "Bilan détaillé.", "spent_personnel": "beaucoup", "spent_fonctionnement": "-5", "draft": ""},
    )

    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Saisissez un nombre." in content
    assert "Bilan détaillé." in content
    assert 'value="beaucoup"' in content
    assert grant.reports.get(kind=ReportKind.INTERIM).narrative == ""


def test_the_porteur_still_files_a_report_of_a_suspended_grant_and_reads_why(client, grant, people):
    grants.suspend(grant, motivation="Le comité de suivi ne s'est pas tenu.", by=people["instructeur"])
    client.force_login(grant.dossier.owner)

    content = html.unescape(client.get(report_url(grant)).content.decode())
    client.post(report_url(grant), {"narrative": "Le comité se tiendra en mai.", "draft": ""})

    assert "Le comité de suivi ne s'est pas tenu." in content
    assert 'name="narrative"' in content
    assert grant.reports.get(kind=ReportKind.INTERIM).narrative == "Le comité se tiendra en mai."


def test_a_co_editor_files_the_report_and_staff_get_403_and_outsiders_404(client, grant, people):
    coeditor = UserFactory(email="coediteur@example.fr")
    DossierInvitation.objects.create(dossier=grant.dossier, email=coeditor.email, invited_by=grant.dossier.owner)
    client.force_login(coeditor)
    assert client.get(report_url(grant)).status_code == 200
    client.force_login(people["instructeur"])
    assert client.get(report_url(grant)).status_code == 403
    client.force_login(people["porteur"])
    assert client.get(report_url(grant)).status_code == 404


def test_submitting_a_report_notifies_the_staff(client, grant, people, django_capture_on_commit_callbacks):
    report = grant.reports.get(kind=ReportKind.INTERIM)

    with django_capture_on_commit_callbacks(execute=True):
        grants.save_report(report, narrative="Bilan", indicators={}, spending={}, by=grant.dossier.owner, submit=True)

    assert OutboundEmail.objects.filter(
        template="reviews/email/staff_report_submitted", recipient=people["instructeur"].email
    ).exists()


# The list ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_the_grant_list_makes_a_constant_number_of_queries(client, people, region, count, django_assert_num_queries):
    phase = phase2()
    for _ in range(count):
        grant = open_grant(phase=phase, region=region, by=people["instructeur"])
        signed(grant, people["instructeur"])
    client.force_login(people["instructeur"])

    with django_assert_num_queries(6):
        response = client.get(reverse("reviews:grant_list"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == count


def test_the_grant_list_filters_by_status_region_and_phase(client, people, region):
    phase = phase2()
    active = open_grant(phase=phase, region=region, by=people["instructeur"])
    suspended = open_grant(phase=phase, region=RegionFactory(code="93", name="PACA", cress_name="CRESS"))
    grants.suspend(suspended, motivation="Motif.", by=people["instructeur"])
    client.force_login(people["instructeur"])

    by_status = client.get(reverse("reviews:grant_list"), {"status": "suspended"}).context["page"].object_list
    by_region = client.get(reverse("reviews:grant_list"), {"region": region.pk}).context["page"].object_list
    by_phase = client.get(reverse("reviews:grant_list"), {"phase": phase.pk}).context["page"].object_list

    assert [g.pk for g in by_status] == [suspended.pk]
    assert [g.pk for g in by_region] == [active.pk]
    assert {g.pk for g in by_phase} == {active.pk, suspended.pk}


def test_a_partner_lists_only_the_grants_of_their_regions(client, people, region):
    mine = open_grant(region=region)
    open_grant(region=RegionFactory(code="93", name="PACA", cress_name="CRESS"))
    client.force_login(people["partenaire"])

    listed = client.get(reverse("reviews:grant_list")).context["page"].object_list

    assert [g.pk for g in listed] == [mine.pk]
    assert Grant.objects.count() == 2


def test_the_staff_dossier_page_links_the_grant_page(client, grant, people):
    client.force_login(people["instructeur"])

    content = client.get(reverse("reviews:dossier", kwargs={"reference": grant.dossier.reference})).content.decode()

    assert grant_url(grant) in content


def test_the_staff_navigation_links_the_grant_list(client, people):
    client.force_login(people["instructeur"])

    assert reverse("reviews:grant_list") in client.get(reverse("reviews:dossier_list")).content.decode()
