"""The tamper-evident audit log (ptce_ami.core.audit): the chain, its verification, its refusals, its admin and
the hooks that write it."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from applications.enums import NoticeKind, NoticeStatus, PhaseKind, ReportKind, RuleStatus
from applications.models import Notice
from applications.services import notices
from applications.services.eligibility import override_result
from applications.services.workflow import transition
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.services import create_api_token
from ptce_ami.core import audit
from ptce_ami.core.models import AppendOnlyError, AuditAction, AuditEntry, AuditOutcome
from reviews.enums import Year3Decision
from reviews.models import Decision
from reviews.services import committee, exports, grants, publication
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import AttachmentFactory, DossierFactory, EditionFactory, PhaseFactory
from tests.reviews.grants_helpers import approve, open_grant
from tests.reviews.test_committee import eligible, make_session, propose
from tests.reviews.test_instruction_list import add_run

pytestmark = pytest.mark.django_db

TABLE = AuditEntry._meta.db_table


def verify_output():
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


def tamper(sql, params):
    """Change the table behind the application's back (an attacker with database access)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


@pytest.fixture
def phase():
    """A closed phase 2 the committee decides on."""
    return PhaseFactory(
        edition=EditionFactory(year=2023, envelope=None),
        kind=PhaseKind.PHASE2,
        envelope=Decimal(250_000),
        max_laureates=3,
        min_grant=Decimal(30_000),
        max_grant=Decimal(100_000),
        closed=True,
    )


def three_entries():
    actor = UserFactory(instructeur=True)
    return [audit.record(AuditAction.EXPORT, actor=actor, details={"dossiers": n, "format": "xlsx"}) for n in range(3)]


def test_each_row_chains_the_previous_one_and_the_chain_verifies():
    first, second, third = three_entries()

    assert first.previous_hash == audit.GENESIS_HASH
    assert (second.previous_hash, third.previous_hash) == (first.hash, second.hash)
    assert len({first.hash, second.hash, third.hash}) == 3
    for entry in AuditEntry.objects.all():  # read back from the database, the hash still holds
        assert audit.compute_hash(entry) == entry.hash
    assert "Journal d'audit vérifié : 3 entrées vérifiées, chaîne intacte." in verify_output()


def test_a_row_changed_in_the_database_is_named_by_the_command():
    first, second, third = three_entries()
    tamper(f"UPDATE {TABLE} SET details = %s WHERE id = %s", ['{"dossiers": 99, "format": "xlsx"}', second.pk])

    with pytest.raises(CommandError) as error:
        call_command("verify_audit_log")

    assert f"id={second.pk} du {second.at.isoformat()}" in str(error.value)
    assert "1 entrée vérifiée avant elle" in str(error.value)


def test_a_row_deleted_in_the_database_breaks_the_next_link():
    first, second, third = three_entries()
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [second.pk])

    count, broken = audit.verify()

    assert (count, broken.pk) == (1, third.pk)


def test_a_row_rehashed_alone_still_breaks_the_chain():
    first, second, third = three_entries()
    second.actor_label = "quelqu'un d'autre"
    forged = audit.compute_hash(second)
    tamper(f"UPDATE {TABLE} SET actor_label = %s, hash = %s WHERE id = %s", [second.actor_label, forged, second.pk])

    assert audit.verify()[1].pk == third.pk


def test_the_model_refuses_changes_and_deletions():
    entry = audit.record(AuditAction.LOGIN, actor_label="x")

    entry.outcome = AuditOutcome.FAILURE
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(outcome=AuditOutcome.FAILURE)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry(action=AuditAction.LOGIN).save()  # written only through record()
    assert AuditEntry.objects.get().outcome == AuditOutcome.OK


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_trigger_refuses_update_and_delete():
    entry = audit.record(AuditAction.LOGIN, actor_label="x")

    for sql in (f"UPDATE {TABLE} SET outcome = 'failure' WHERE id = %s", f"DELETE FROM {TABLE} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    assert AuditEntry.objects.get().outcome == AuditOutcome.OK


def test_deleting_a_user_keeps_their_rows_and_the_chain():
    user = UserFactory(instructeur=True)
    audit.record(AuditAction.EXPORT, actor=user)
    user_id = user.pk

    user.delete()

    entry = AuditEntry.objects.get()
    assert (entry.actor_id, entry.actor_label) == (user_id, user.email)
    assert audit.verify() == (1, None)


def test_login_and_failed_login_are_recorded_with_the_ip(client):
    user = UserFactory(email="camille@example.fr")

    client.post(
        reverse("accounts:login"), {"username": "camille@example.fr", "password": "faux"}, REMOTE_ADDR="203.0.113.7"
    )
    client.post(
        reverse("accounts:login"), {"username": "camille@example.fr", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    failed, login = AuditEntry.objects.order_by("id")
    assert (failed.action, failed.outcome, failed.actor_id, failed.actor_label, failed.ip) == (
        AuditAction.LOGIN_FAILED,
        AuditOutcome.FAILURE,
        None,
        "camille@example.fr",
        "203.0.113.7",
    )
    assert (login.action, login.outcome, login.actor_id, login.ip, login.object_type, login.object_id) == (
        AuditAction.LOGIN,
        AuditOutcome.OK,
        user.pk,
        "203.0.113.7",
        "accounts.user",
        str(user.pk),
    )
    assert audit.verify() == (2, None)


def test_role_change_is_recorded_and_other_saves_are_not():
    user = UserFactory(porteur=True)
    user.first_name = "Autre"
    user.save()
    assert not AuditEntry.objects.exists()

    user.role = Role.INSTRUCTEUR
    user.save()

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id, entry.details) == (
        AuditAction.ROLE_CHANGE,
        "accounts.user",
        str(user.pk),
        {"from": Role.PORTEUR, "to": Role.INSTRUCTEUR},
    )


def test_admin_changes_are_recorded(client):
    admin_user = UserFactory(administrateur=True)
    target = UserFactory(porteur=True, first_name="Avant")
    client.force_login(admin_user)
    before = AuditEntry.objects.count()

    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        object_repr=str(target),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Prénom"]}}]',
    )

    entry = AuditEntry.objects.order_by("-id")[0]
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.actor_id, entry.object_type, entry.object_id) == (
        AuditAction.ADMIN_CHANGE,
        admin_user.pk,
        "accounts.user",
        str(target.pk),
    )


def test_administrateurs_read_and_filter_the_log_but_nobody_edits_it(client):
    admin_user = UserFactory(administrateur=True)
    entry = audit.record(AuditAction.EXPORT, actor=admin_user)
    audit.record(AuditAction.LOGIN_FAILED, outcome=AuditOutcome.FAILURE, actor_label="intrus@example.fr")
    client.force_login(admin_user)
    changelist = reverse("admin:core_auditentry_changelist")

    filtered = client.get(changelist, {"action": "login_failed"})
    searched = client.get(changelist, {"q": "intrus"})

    assert filtered.status_code == searched.status_code == 200
    assert [row.action for row in filtered.context["cl"].result_list] == [AuditAction.LOGIN_FAILED]
    assert [row.actor_label for row in searched.context["cl"].result_list] == ["intrus@example.fr"]
    assert client.get(reverse("admin:core_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert client.get(reverse("admin:core_auditentry_delete", args=[entry.pk])).status_code == 403
    response = client.post(reverse("admin:core_auditentry_change", args=[entry.pk]), {"outcome": "failure"})
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).outcome == AuditOutcome.OK


@pytest.mark.parametrize("role", [Role.INSTRUCTEUR, Role.PARTENAIRE, Role.PORTEUR])
def test_other_roles_do_not_read_the_log(client, role):
    client.force_login(UserFactory(role=role))

    response = client.get(reverse("admin:core_auditentry_changelist"))

    assert response.status_code in (302, 403)


# Hooks in the services that own the sensitive actions --------------------------------------------------------


def actions_of(obj):
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", "actor_id")
    )


def test_api_token_creation_is_recorded():
    user = UserFactory(instructeur=True)

    token, _secret = create_api_token(user, name="Outil", days=90)

    assert actions_of(token) == [(AuditAction.TOKEN_CREATION, user.pk)]
    assert token.digest not in str(AuditEntry.objects.get().details)


def test_eligibility_override_is_recorded(referential):
    instructeur = UserFactory(instructeur=True)
    run = add_run(DossierFactory(complete=True, submitted=True), RuleStatus.FAIL, RuleStatus.PASS)
    result = run.results.get(rule_id="R1")

    override_result(result, status=RuleStatus.PASS, motivation="Pièce reçue par courrier.", by=instructeur)

    assert actions_of(result) == [(AuditAction.ELIGIBILITY_OVERRIDE, instructeur.pk)]
    assert AuditEntry.objects.get().details == {"status": "pass"}


def test_export_is_recorded(django_capture_on_commit_callbacks):
    instructeur = UserFactory(instructeur=True)

    with django_capture_on_commit_callbacks(execute=True):
        export = exports.request_export(instructeur, query="", export_format="csv")

    assert actions_of(export) == [(AuditAction.EXPORT, instructeur.pk)]


def test_proposal_adoption_publication_and_reopening_are_recorded(
    phase, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(committee, "html_to_pdf", lambda html: b"%PDF-1.7\n% minutes\n%%EOF\n")
    monkeypatch.setattr(notices, "html_to_pdf", lambda html: b"%PDF-1.7\n% letter\n%%EOF\n")
    staff = UserFactory(instructeur=True)
    decision = propose(eligible(phase, contact_email="contact@example.fr"), staff)
    session = make_session(phase, staff)
    committee.adopt(session, by=staff)

    with django_capture_on_commit_callbacks(execute=True):
        publication.publish(session, by=staff)
        publication.publish(session, by=staff)  # already published: nothing happens, nothing recorded
    decision = Decision.objects.get(pk=decision.pk)
    with django_capture_on_commit_callbacks(execute=True):
        publication.reopen(decision, motivation="Une pièce du budget était erronée.", by=staff)

    assert actions_of(decision) == [(AuditAction.DECISION_PROPOSAL, staff.pk)]
    assert AuditEntry.objects.get(action=AuditAction.DECISION_PROPOSAL).details == {
        "dossier": decision.dossier.reference,
        "outcome": "laureate",
        "amount": "100000",
    }
    assert actions_of(session) == [
        (AuditAction.LIST_ADOPTION, staff.pk),
        (AuditAction.DECISION_PUBLICATION, staff.pk),
    ]
    assert AuditEntry.objects.get(action=AuditAction.LIST_ADOPTION).details == {"decisions": [decision.pk]}
    assert AuditEntry.objects.get(action=AuditAction.DECISION_PUBLICATION).details == {"decisions": [decision.pk]}
    assert actions_of(decision.dossier) == [(AuditAction.REOPENING, staff.pk)]
    assert AuditEntry.objects.get(action=AuditAction.REOPENING).details == {
        "action": "reopen",
        "from": "laureate",
        "to": "in_review",
    }
    assert audit.verify()[1] is None


def test_attachment_downloads_by_staff_are_recorded_and_the_porteurs_are_not(client):
    attachment = AttachmentFactory(dossier=DossierFactory(submitted=True))
    instructeur = UserFactory(instructeur=True)
    url = reverse(
        "applications:attachment_download",
        kwargs={"reference": attachment.dossier.reference, "attachment_id": attachment.pk},
    )

    for user, address in ((attachment.dossier.owner, "198.51.100.4"), (instructeur, "198.51.100.9")):
        client.force_login(user)
        response = client.get(url, REMOTE_ADDR=address)
        # Read whole: the test client closes the file at the end of the stream.
        assert (response.status_code, b"".join(response.streaming_content)[:4]) == (200, b"%PDF")

    entry = AuditEntry.objects.get(action=AuditAction.ATTACHMENT_DOWNLOAD)
    assert (entry.actor_id, entry.ip, entry.object_type, entry.object_id) == (
        instructeur.pk,
        "198.51.100.9",
        "applications.attachment",
        str(attachment.pk),
    )


def test_a_withdrawn_proposal_is_recorded_with_what_it_proposed(phase):
    staff = UserFactory(instructeur=True)
    decision = propose(eligible(phase), staff)
    decision_id, reference = decision.pk, decision.dossier.reference

    committee.withdraw(decision, by=staff)

    assert not Decision.objects.filter(pk=decision_id).exists()
    entry = AuditEntry.objects.get(action=AuditAction.DECISION_WITHDRAWAL)
    assert (entry.actor_id, entry.object_type, entry.object_id) == (staff.pk, "reviews.decision", str(decision_id))
    assert entry.details == {"dossier": reference, "outcome": "laureate", "amount": "100000"}
    assert audit.verify() == (2, None)


def test_admissibility_decisions_and_reopenings_are_recorded_and_routine_transitions_are_not():
    staff = UserFactory(instructeur=True)
    first, second = DossierFactory(submitted=True), DossierFactory(submitted=True)

    for dossier in (first, second):
        transition(dossier, "start_review", by=staff)
    transition(first, "declare_eligible", by=staff)
    transition(second, "declare_ineligible", by=staff, comment="Moins de trois personnes morales.")
    transition(second, "reopen", by=staff, comment="Une adhésion avait été oubliée.")

    assert actions_of(first) == [(AuditAction.ADMISSIBILITY, staff.pk)]
    assert actions_of(second) == [(AuditAction.ADMISSIBILITY, staff.pk), (AuditAction.REOPENING, staff.pk)]
    assert [entry.details for entry in AuditEntry.objects.filter(object_id=str(second.pk)).order_by("id")] == [
        {"action": "declare_ineligible", "from": "in_review", "to": "ineligible"},
        {"action": "reopen", "from": "ineligible", "to": "in_review"},
    ]


def test_the_year3_decision_is_recorded():
    instructeur = UserFactory(instructeur=True)
    grant = open_grant()
    approve(grant.reports.get(kind=ReportKind.FINAL), instructeur)

    grants.decide_year3(
        grant,
        decision=Year3Decision.GRANTED,
        amount=Decimal(20_000),
        motivation="Des résultats solides.",
        by=instructeur,
    )

    assert actions_of(grant) == [(AuditAction.YEAR3_DECISION, instructeur.pk)]
    assert AuditEntry.objects.get(action=AuditAction.YEAR3_DECISION).details == {
        "decision": "granted",
        "amount": "20000",
    }


def test_the_zip_of_a_dossier_and_its_notices_downloaded_by_staff_are_recorded(client):
    dossier = DossierFactory(submitted=True)
    AttachmentFactory(dossier=dossier)
    notice = Notice.objects.create(
        dossier=dossier,
        kind=NoticeKind.RECEIPT,
        status=NoticeStatus.READY,
        file=ContentFile(b"%PDF-1.7\n% notice\n%%EOF\n", name="notice.pdf"),
        rendered_at=timezone.now(),
        published_at=timezone.now(),
    )
    instructeur = UserFactory(instructeur=True)
    notice_url = reverse(
        "applications:notice_download", kwargs={"reference": dossier.reference, "notice_id": notice.pk}
    )
    zip_url = reverse("reviews:dossier_zip", kwargs={"reference": dossier.reference})

    for user, url in ((dossier.owner, notice_url), (instructeur, notice_url), (instructeur, zip_url)):
        client.force_login(user)
        response = client.get(url, REMOTE_ADDR="198.51.100.9")
        # Read whole: the test client closes the file at the end of the stream.
        assert (response.status_code, len(b"".join(response.streaming_content)) > 0) == (200, True)

    assert actions_of(notice) == [(AuditAction.ATTACHMENT_DOWNLOAD, instructeur.pk)]
    assert actions_of(dossier) == [(AuditAction.ATTACHMENT_DOWNLOAD, instructeur.pk)]
    entry = AuditEntry.objects.get(object_type="applications.dossier")
    assert (entry.ip, entry.details) == ("198.51.100.9", {"zip": 1})
