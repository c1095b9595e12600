import pytest
from django.urls import reverse

from applications.models import EligibilityRun
from applications.services import eligibility as eligibility_services
from applications.services.submission import submit_dossier
from applications.tasks import run_eligibility
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db


def test_submission_stores_a_run_with_one_row_per_rule(referential, django_capture_on_commit_callbacks):
    dossier = DossierFactory(complete=True)

    with django_capture_on_commit_callbacks(execute=True):
        version = submit_dossier(dossier, by=dossier.owner)

    run = EligibilityRun.objects.get()
    assert (run.trigger, run.version, run.key) == ("submission", version, f"submission:{version.pk}")
    assert [result.rule_id for result in run.results.all()] == [f"R{n:02d}" for n in range(1, 13)]
    assert run.results.get(rule_id="R02").explanation == "Le pôle réunit 3 personnes morales (au moins 3 requises)."


def test_a_task_delivered_twice_stores_one_run(referential):
    dossier = DossierFactory(complete=True, submitted=True)

    first = run_eligibility.apply(kwargs={"dossier_id": dossier.pk, "key": "k1", "trigger": "on_demand"}).get()
    second = run_eligibility.apply(kwargs={"dossier_id": dossier.pk, "key": "k1", "trigger": "on_demand"}).get()

    assert first == second
    assert EligibilityRun.objects.count() == 1


def test_a_task_for_a_deleted_dossier_does_nothing():
    assert run_eligibility.apply(kwargs={"dossier_id": 999, "key": "k", "trigger": "on_demand"}).get() is None


@pytest.mark.parametrize("role", ["instructeur", "partenaire"])
def test_staff_rerun_the_rules_and_see_them(client, referential, role, django_capture_on_commit_callbacks):
    dossier = DossierFactory(complete=True, submitted=True)
    client.force_login(UserFactory(**{role: True}, regions=[RegionFactory()]))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:eligibility_run", kwargs={"reference": dossier.reference}))

    assert response["Location"] == dossier.get_absolute_url()
    assert EligibilityRun.objects.get().requested_by.role == role
    content = client.get(dossier.get_absolute_url()).content.decode()
    assert "Au moins trois personnes morales" in content


def test_porteurs_neither_rerun_nor_see_staff_runs(client, referential):
    dossier = DossierFactory(complete=True, submitted=True)
    eligibility_services.run(dossier, key="k")
    client.force_login(dossier.owner)

    response = client.post(reverse("applications:eligibility_run", kwargs={"reference": dossier.reference}))

    assert response.status_code == 403
    assert "Relancer les vérifications" not in client.get(dossier.get_absolute_url()).content.decode()
