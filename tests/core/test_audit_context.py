"""The IP on audit rows written by services that get no request (ptce_ami.core.audit.origin, set for each request by
core.middleware.RequestContextMiddleware and for each Celery task by the task signals)."""

import asyncio
import concurrent.futures
import threading
from io import StringIO

import pytest
from celery import Celery
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from applications.enums import RuleStatus
from applications.services.eligibility import override_result
from ptce_ami.accounts.enums import Role
from ptce_ami.core import audit
from ptce_ami.core.middleware import RequestContextMiddleware
from ptce_ami.core.models import AuditAction, AuditEntry
from reviews.models import Export
from reviews.services import exports
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory
from tests.reviews.test_instruction_list import add_run

# An app of its own, so that the probe is not one of the platform's tasks (tests/core/test_queue.py lists them);
# Celery's task signals, which the audit log listens to, are the same for every app.
probe_app = Celery("audit-probe", set_as_current=False)


@probe_app.task(name="tests.audit_probe", shared=False)
def audit_probe(user_id):
    """A task writing an audit row, as a service called by a worker would."""
    return audit.record(AuditAction.EXPORT, actor_label=f"tache-{user_id}", details={"probe": True}).pk


def assert_chain_verifies():
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "chaîne intacte" in out.getvalue()


@pytest.mark.django_db
def test_an_export_asked_through_the_view_is_recorded_with_the_requests_ip(client, django_capture_on_commit_callbacks):
    instructeur = UserFactory(instructeur=True)
    client.force_login(instructeur)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reviews:export_create"), {"query": "", "format": "csv"}, REMOTE_ADDR="198.51.100.23"
        )

    export = Export.objects.get()
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor_id, entry.object_id, entry.ip, entry.outcome) == (
        instructeur.pk,
        str(export.pk),
        "198.51.100.23",
        "ok",
    )
    assert "source" not in entry.details
    assert_chain_verifies()


@pytest.mark.django_db
def test_an_eligibility_override_through_the_view_is_recorded_with_the_requests_ip(client, referential):
    instructeur = UserFactory(instructeur=True)
    dossier = DossierFactory(complete=True, submitted=True)
    result = add_run(dossier, RuleStatus.FAIL, RuleStatus.PASS).results.get(rule_id="R1")
    client.force_login(instructeur)
    prefix = f"regle-{result.pk}"

    response = client.post(
        reverse("reviews:eligibility_override", kwargs={"reference": dossier.reference, "result_id": result.pk}),
        {f"{prefix}-status": "pass", f"{prefix}-motivation": "Kbis reçu par courriel."},
        REMOTE_ADDR="2001:db8::42",
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.ELIGIBILITY_OVERRIDE)
    assert (entry.actor_id, entry.object_id, entry.ip) == (instructeur.pk, str(result.pk), "2001:db8::42")
    assert_chain_verifies()


@pytest.mark.django_db
def test_the_same_services_outside_a_request_write_no_ip(referential, django_capture_on_commit_callbacks):
    instructeur = UserFactory(instructeur=True)
    result = add_run(DossierFactory(complete=True, submitted=True), RuleStatus.FAIL).results.get()

    with django_capture_on_commit_callbacks(execute=True):
        exports.request_export(instructeur, query="", export_format="csv")
    override_result(result, status=RuleStatus.PASS, motivation="Pièce reçue.", by=instructeur)

    assert list(AuditEntry.objects.order_by("id").values_list("action", "ip", "details")) == [
        (AuditAction.EXPORT, None, {"kind": "dossiers", "query": ""}),
        (AuditAction.ELIGIBILITY_OVERRIDE, None, {"status": "pass"}),
    ]
    assert audit.current_origin() is None


@pytest.mark.django_db
def test_an_explicit_request_wins_over_the_context():
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1")

    with audit.origin("request", ip="192.0.2.99"):
        entry = audit.record(AuditAction.LOGIN, request=request, actor_label="x")

    assert entry.ip == "192.0.2.1"


@pytest.mark.django_db
def test_a_task_writes_no_ip_and_says_it_is_a_task_even_when_run_inline_in_a_request():
    with audit.origin("request", ip="192.0.2.7"):
        entry_id = audit_probe.apply(args=[1]).get()
        after_task = audit.record(AuditAction.EXPORT, actor_label="vue")

    entry = AuditEntry.objects.get(pk=entry_id)
    assert (entry.ip, entry.details) == (None, {"probe": True, "source": "task"})
    assert after_task.ip == "192.0.2.7"  # the request's context is back once the task has ended
    assert audit.current_origin() is None
    assert audit.verify() == (2, None)


def test_the_context_lasts_the_request_and_is_reset_even_on_error():
    seen = []

    def view(request):
        seen.append(audit.current_origin())
        raise RuntimeError("boom")

    middleware = RequestContextMiddleware(view)
    with pytest.raises(RuntimeError):
        middleware(RequestFactory().get("/", REMOTE_ADDR="192.0.2.5"))

    assert seen == [audit.Origin("request", "192.0.2.5")]
    assert audit.current_origin() is None


def test_concurrent_requests_in_threads_each_see_their_own_ip():
    barrier = threading.Barrier(2, timeout=5)
    seen = {}

    def view(request):
        barrier.wait()  # both requests are inside the middleware at the same time
        seen[request.META["REMOTE_ADDR"]] = audit.current_origin().ip
        barrier.wait()
        return None

    middleware = RequestContextMiddleware(view)
    threads = [
        threading.Thread(target=middleware, args=(RequestFactory().get("/", REMOTE_ADDR=address),))
        for address in ("192.0.2.1", "192.0.2.2")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen == {"192.0.2.1": "192.0.2.1", "192.0.2.2": "192.0.2.2"}
    assert audit.current_origin() is None


def test_concurrent_async_requests_each_see_their_own_ip():
    seen = {}

    async def view(request):
        await asyncio.sleep(0)
        first = audit.current_origin().ip
        await asyncio.sleep(0.01)  # the other request runs meanwhile
        seen[request.META["REMOTE_ADDR"]] = (first, audit.current_origin().ip)

    async def main():
        middleware = RequestContextMiddleware(view)
        await asyncio.gather(
            *(middleware(RequestFactory().get("/", REMOTE_ADDR=address)) for address in ("192.0.2.1", "192.0.2.2"))
        )
        return audit.current_origin()

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in the main thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        outside = pool.submit(asyncio.run, main()).result()
    assert outside is None
    assert seen == {"192.0.2.1": ("192.0.2.1", "192.0.2.1"), "192.0.2.2": ("192.0.2.2", "192.0.2.2")}


@pytest.mark.django_db
def test_a_role_change_caught_by_its_signal_names_the_signed_in_user_and_the_ip():
    admin_user = UserFactory(administrateur=True)
    target = UserFactory(porteur=True)

    def view(request):
        target.role = Role.EVALUATEUR
        target.save()

    request = RequestFactory().post("/admin/accounts/user/", REMOTE_ADDR="192.0.2.77")
    request.user = admin_user  # set by AuthenticationMiddleware, after the context middleware
    RequestContextMiddleware(view)(request)

    entry = AuditEntry.objects.get(action=AuditAction.ROLE_CHANGE)
    assert (entry.actor_id, entry.actor_label, entry.ip, entry.object_id) == (
        admin_user.pk,
        admin_user.email,
        "192.0.2.77",
        str(target.pk),
    )
