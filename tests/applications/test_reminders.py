"""Deadline reminders (applications.reminders): the windows, the recipients, exactly once (re-runs, a race, a
crash midway; two sweeps at once, on PostgreSQL, are in tests/workers/test_concurrent_sweeps.py), the e-mails in
French, the sweep runs; and the default beat schedule made by the data migration applications/0005_beat_schedule.
"""

import collections
import datetime as dt
import importlib

import pytest
from celery import current_app
from django.apps import apps as django_apps
from django.db import OperationalError
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from freezegun import freeze_time

from applications import tasks as application_tasks
from applications.enums import DossierState
from applications.models import CorrectionRequest, DossierInvitation
from ptce_ami.core import reminders
from ptce_ami.core import tasks as core_tasks
from ptce_ami.core.models import OutboundEmail, SentReminder, SweepRun
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)
OPENS_AT = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
CLOSES_AT = dt.datetime(2026, 7, 31, 10, 0, tzinfo=dt.UTC)  # 12 h 00 in Paris (summer time)
CLOSES_AT_FR = "31 juillet 2026 à 12 h 00, heure de Paris"
DUE_AT = dt.datetime(2026, 9, 14, 14, 30, tzinfo=dt.UTC)  # 16 h 30 in Paris
DUE_AT_FR = "14 septembre 2026 à 16 h 30, heure de Paris"
DRAFTS = "applications.remind_drafts"
CORRECTIONS = "applications.remind_corrections"
SITE_URL = "https://ptce.example.gouv.fr"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def phase():
    return PhaseFactory(opens_at=OPENS_AT, closes_at=CLOSES_AT)


def make_draft(phase, *coeditors, **kwargs):
    dossier = DossierFactory(phase=phase, **kwargs)
    for email in coeditors:
        DossierInvitation.objects.create(dossier=dossier, email=email, invited_by=dossier.owner)
    return dossier


def sweep(name, at, capture, **kwargs):
    """Run the sweep at ``at``; the e-mails it queues are sent (after commit, by the task run eagerly)."""
    with freeze_time(at), capture(execute=True):
        return reminders.sweep(name, **kwargs)


def sent():
    """[(window's kind, recipient)] of the reminders recorded, in the order they were."""
    recorded = SentReminder.objects.order_by("pk").values_list("kind", "recipient")
    return [(kind.split(":")[0], recipient) for kind, recipient in recorded]


# Drafts: the windows -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "kind"),
    [
        (CLOSES_AT - 15 * DAY, None),
        (CLOSES_AT - 14 * DAY - SECOND, None),
        (CLOSES_AT - 14 * DAY, "draft_d14"),
        (CLOSES_AT - 8 * DAY, "draft_d14"),
        (CLOSES_AT - 7 * DAY - SECOND, "draft_d14"),
        (CLOSES_AT - 7 * DAY, "draft_d7"),
        (CLOSES_AT - 2 * DAY, "draft_d7"),
        (CLOSES_AT - DAY - SECOND, "draft_d7"),
        (CLOSES_AT - DAY, "draft_d1"),
        (CLOSES_AT - SECOND, "draft_d1"),
        (CLOSES_AT, None),
        (CLOSES_AT + dt.timedelta(hours=1), None),
    ],
)
def test_draft_reminder_kind_is_the_window_containing_now(
    phase, moment, kind, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = make_draft(phase)

    count = sweep(DRAFTS, moment, django_capture_on_commit_callbacks)

    expected = [(kind, dossier.owner.email)] if kind else []
    assert (sent(), count, len(mailoutbox)) == (expected, len(expected), len(expected))


def test_draft_gets_each_window_once_over_the_weeks(phase, mailoutbox, django_capture_on_commit_callbacks):
    dossier = make_draft(phase)
    every_six_hours = [CLOSES_AT - 14 * DAY + dt.timedelta(minutes=5, hours=6 * n) for n in range(14 * 4)]

    for moment in every_six_hours:
        sweep(DRAFTS, moment, django_capture_on_commit_callbacks)

    owner = dossier.owner.email
    assert sent() == [("draft_d14", owner), ("draft_d7", owner), ("draft_d1", owner)]
    assert [message.subject.rsplit(" : ", 1)[1] for message in mailoutbox] == [
        "date limite dans 14 jours",
        "date limite dans 7 jours",
        "date limite dans moins de 24 heures",
    ]


def test_draft_created_after_d7_gets_d7_then_d1_and_never_the_earlier_one(
    phase, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = make_draft(phase)

    sweep(DRAFTS, CLOSES_AT - 5 * DAY, django_capture_on_commit_callbacks)
    sweep(DRAFTS, CLOSES_AT - 3 * DAY, django_capture_on_commit_callbacks)
    sweep(DRAFTS, CLOSES_AT - 12 * dt.timedelta(hours=1), django_capture_on_commit_callbacks)

    assert sent() == [("draft_d7", dossier.owner.email), ("draft_d1", dossier.owner.email)]
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda phase: DossierFactory(phase=phase, submitted=True), id="submitted"),
        pytest.param(lambda phase: DossierFactory(phase=phase, state=DossierState.WITHDRAWN), id="withdrawn"),
        pytest.param(
            lambda phase: DossierFactory(phase=phase, state=DossierState.CORRECTIONS_REQUESTED, submitted_at=OPENS_AT),
            id="in-correction",
        ),
        pytest.param(
            lambda phase: DossierFactory(phase=PhaseFactory(closes_at=CLOSES_AT - 8 * DAY, opens_at=OPENS_AT)),
            id="phase-closed",
        ),
        pytest.param(
            lambda phase: DossierFactory(
                phase=PhaseFactory(
                    edition=EditionFactory(year=2027, published=False), opens_at=OPENS_AT, closes_at=CLOSES_AT
                )
            ),
            id="edition-unpublished",
        ),
        pytest.param(
            lambda phase: DossierFactory(phase=PhaseFactory(opens_at=CLOSES_AT - 5 * DAY, closes_at=CLOSES_AT)),
            id="phase-not-yet-open",
        ),
    ],
)
def test_no_draft_reminder_outside_an_open_published_phase_nor_for_a_filed_dossier(
    phase, make, mailoutbox, django_capture_on_commit_callbacks
):
    make(phase)

    count = sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks)

    assert (count, sent(), mailoutbox) == (0, [], [])


# Drafts: the recipients, exactly once --------------------------------------------------------------------------


def test_owner_and_every_coeditor_get_the_reminder_once(phase, mailoutbox, django_capture_on_commit_callbacks):
    owner = UserFactory(email="titulaire@example.fr")
    dossier = make_draft(
        phase, "coeditrice@example.fr", "sans-compte@example.org", "TITULAIRE@example.fr", owner=owner
    )

    sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks)

    recipients = ["titulaire@example.fr", "coeditrice@example.fr", "sans-compte@example.org"]
    assert sent() == [("draft_d7", email) for email in recipients]
    assert [message.to for message in mailoutbox] == [[email] for email in recipients]
    assert {email.object_id for email in OutboundEmail.objects.all()} == {str(dossier.pk)}


def test_inactive_owner_is_not_reminded_but_coeditors_are(phase, mailoutbox, django_capture_on_commit_callbacks):
    make_draft(phase, "coeditrice@example.fr", owner=UserFactory(is_active=False))

    sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks)

    assert [message.to for message in mailoutbox] == [["coeditrice@example.fr"]]


def test_running_the_sweep_again_sends_nothing_more(phase, mailoutbox, django_capture_on_commit_callbacks):
    make_draft(phase, "coeditrice@example.fr")
    make_draft(phase)
    first = sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks)

    again = sweep(DRAFTS, CLOSES_AT - 6 * DAY + dt.timedelta(hours=1), django_capture_on_commit_callbacks)

    assert (first, again, len(mailoutbox), SentReminder.objects.count()) == (3, 0, 3, 3)


def test_reminder_is_recorded_with_its_deadline_and_linked_to_its_email(
    phase, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = make_draft(phase)

    sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks)

    reminder = SentReminder.objects.get()
    assert (reminder.kind, reminder.related, reminder.recipient) == (
        "draft_d7:20260731T100000Z",
        dossier,
        dossier.owner.email,
    )
    assert (
        reminder.email.key
        == f"reminder:draft_d7:20260731T100000Z:applications.dossier:{dossier.pk}:{reminder.recipient}"
    )
    assert (reminder.email.status, reminder.email.subject) == ("sent", mailoutbox[0].subject)


def test_a_moved_deadline_starts_the_reminders_again_with_the_new_date(
    phase, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = make_draft(phase)
    sweep(DRAFTS, CLOSES_AT - 12 * dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    phase.closes_at = CLOSES_AT + 7 * DAY
    phase.save()

    sweep(DRAFTS, CLOSES_AT - 11 * dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    sweep(DRAFTS, CLOSES_AT + 6 * DAY + dt.timedelta(hours=1), django_capture_on_commit_callbacks)

    owner = dossier.owner.email
    assert sent() == [("draft_d1", owner), ("draft_d14", owner), ("draft_d1", owner)]
    assert "7 août 2026 à 12 h 00, heure de Paris, dans 7 jours." in mailoutbox[1].body


def test_a_coeditor_invited_later_gets_the_current_window_only(phase, mailoutbox, django_capture_on_commit_callbacks):
    dossier = make_draft(phase)
    sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks)
    DossierInvitation.objects.create(dossier=dossier, email="nouvelle@example.fr", invited_by=dossier.owner)

    sweep(DRAFTS, CLOSES_AT - 5 * DAY, django_capture_on_commit_callbacks)

    assert sent() == [("draft_d7", dossier.owner.email), ("draft_d7", "nouvelle@example.fr")]


def test_reminder_recorded_meanwhile_by_another_sweep_is_skipped(
    phase, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """The race the unique constraint settles: this sweep read "not sent", another one recorded it since."""
    make_draft(phase, "coeditrice@example.fr")
    sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks)
    monkeypatch.setattr(reminders, "already_sent", lambda source, batch: set())

    count = sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks)

    assert (count, len(mailoutbox), SentReminder.objects.count(), OutboundEmail.objects.count()) == (0, 2, 2, 2)


def test_batches_cover_every_due_draft(phase, mailoutbox, django_capture_on_commit_callbacks):
    dossiers = [make_draft(phase, f"coeditrice{n}@example.fr") for n in range(7)]

    count = sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks, batch_size=3)

    assert count == len(mailoutbox) == 14
    assert {reminder.object_id for reminder in SentReminder.objects.all()} == {str(d.pk) for d in dossiers}


def test_an_error_on_one_recipient_leaves_the_others_sent_and_the_rerun_sends_it(
    phase, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    first, second = make_draft(phase, "a@example.fr"), make_draft(phase, "b@example.fr")
    fail_on_third_call(monkeypatch, RuntimeError("gabarit illisible"))

    with pytest.raises(reminders.ReminderFailures):
        sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks)

    assert [message.to[0] for message in mailoutbox] == [first.owner.email, "a@example.fr", "b@example.fr"]
    run = SweepRun.objects.get()
    assert (run.processed, run.finished_at is not None) == (3, True)
    assert run.error.startswith("ReminderFailures: 1 relance en échec : draft_d7")
    assert "gabarit illisible" in run.error

    monkeypatch.undo()
    rerun = sweep(DRAFTS, CLOSES_AT - 6 * DAY + dt.timedelta(hours=1), django_capture_on_commit_callbacks)

    assert rerun == 1
    assert mailoutbox[-1].to == [second.owner.email]
    assert_each_once(mailoutbox, 4)


def test_a_crash_midway_keeps_the_committed_batches_and_the_rerun_sends_the_rest(
    phase, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    first, second = make_draft(phase, "a@example.fr"), make_draft(phase, "b@example.fr")
    fail_on_third_call(monkeypatch, OperationalError("server closed the connection unexpectedly"))

    with pytest.raises(OperationalError):
        sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks, batch_size=1)

    # The first dossier's batch was committed and sent; the second one's rolled back, its owner's e-mail included.
    assert [message.to[0] for message in mailoutbox] == [first.owner.email, "a@example.fr"]
    assert {reminder.object_id for reminder in SentReminder.objects.all()} == {str(first.pk)}
    assert OutboundEmail.objects.count() == 2
    assert SweepRun.objects.get().error.startswith("OperationalError: server closed")

    monkeypatch.undo()
    rerun = sweep(DRAFTS, CLOSES_AT - 6 * DAY, django_capture_on_commit_callbacks, batch_size=1)

    assert rerun == 2
    assert [message.to[0] for message in mailoutbox[2:]] == [second.owner.email, "b@example.fr"]
    assert_each_once(mailoutbox, 4)


def fail_on_third_call(monkeypatch, error):
    real, calls = reminders.queue_email, []

    def queue_email(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 3:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(reminders, "queue_email", queue_email)


def assert_each_once(mailoutbox, count):
    per_message = collections.Counter((tuple(message.to), message.subject) for message in mailoutbox)
    assert (len(per_message), set(per_message.values())) == (count, {1})
    assert SentReminder.objects.count() == OutboundEmail.objects.count() == count


# Correction requests -------------------------------------------------------------------------------------------


def make_correction(*coeditors, state=DossierState.CORRECTIONS_REQUESTED, dossier=None, **kwargs):
    phase = PhaseFactory(opens_at=OPENS_AT, closes_at=CLOSES_AT)
    dossier = make_draft(phase, *coeditors, state=state, **(dossier or {}))
    dossier.submitted_at = CLOSES_AT - 3 * DAY
    dossier.save(update_fields=["submitted_at"])
    return CorrectionRequest.objects.create(
        dossier=dossier,
        requested_by=UserFactory(instructeur=True),
        reason="La lettre d'engagement de la métropole n'est pas signée.\nMerci de joindre la version signée.",
        sections=["pieces", "membres"],
        due_at=DUE_AT,
        created_at=DUE_AT - 15 * DAY,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("moment", "kind"),
    [
        (DUE_AT - 4 * DAY, None),
        (DUE_AT - 3 * DAY - SECOND, None),
        (DUE_AT - 3 * DAY, "correction_d3"),
        (DUE_AT - DAY - SECOND, "correction_d3"),
        (DUE_AT - DAY, "correction_d1"),
        (DUE_AT - SECOND, "correction_d1"),
        (DUE_AT, None),
        (DUE_AT + DAY, None),
    ],
)
def test_correction_reminder_kind_is_the_window_containing_now(
    moment, kind, mailoutbox, django_capture_on_commit_callbacks
):
    correction = make_correction("coeditrice@example.fr")

    sweep(CORRECTIONS, moment, django_capture_on_commit_callbacks)

    recipients = [correction.dossier.owner.email, "coeditrice@example.fr"]
    assert sent() == ([(kind, email) for email in recipients] if kind else [])
    assert len(mailoutbox) == (2 if kind else 0)


def test_correction_reminders_d3_then_d1_each_once(mailoutbox, django_capture_on_commit_callbacks):
    correction = make_correction()
    owner = correction.dossier.owner.email

    for moment in (DUE_AT - 3 * DAY, DUE_AT - 2 * DAY, DUE_AT - 20 * dt.timedelta(hours=1), DUE_AT - SECOND):
        sweep(CORRECTIONS, moment, django_capture_on_commit_callbacks)

    assert sent() == [("correction_d3", owner), ("correction_d1", owner)]
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: make_correction(resolved_at=DUE_AT - 5 * DAY), id="resolved"),
        pytest.param(lambda: make_correction(state=DossierState.SUBMITTED), id="dossier-resubmitted"),
        pytest.param(lambda: make_correction(state=DossierState.WITHDRAWN), id="dossier-withdrawn"),
    ],
)
def test_no_correction_reminder_once_resolved_or_left(make, mailoutbox, django_capture_on_commit_callbacks):
    make()

    count = sweep(CORRECTIONS, DUE_AT - 2 * DAY, django_capture_on_commit_callbacks)

    assert (count, mailoutbox) == (0, [])


# The e-mails ---------------------------------------------------------------------------------------------------


def test_draft_reminder_email_in_french_with_deadline_missing_items_and_link(
    phase, mailoutbox, django_capture_on_commit_callbacks, snapshot
):
    owner = UserFactory(email="camille.martin@example.fr", first_name="Camille", last_name="Martin")
    make_draft(
        phase,
        "coeditrice@example.fr",
        owner=owner,
        reference="PTCE-2026-P1-0042",
        name="Pôle Réemploi & Solidarités",
        summary="Un atelier partagé de réemploi.",
    )

    sweep(DRAFTS, CLOSES_AT - 7 * DAY + dt.timedelta(minutes=5), django_capture_on_commit_callbacks)

    message = mailoutbox[0]
    assert message.subject == (
        "AMI PTCE — Votre dossier « Pôle Réemploi & Solidarités » (PTCE-2026-P1-0042) n'est pas encore déposé : "
        "date limite dans 7 jours"
    )
    assert f"Date limite de dépôt : {CLOSES_AT_FR}, dans 7 jours." in message.body
    assert "Un brouillon n'est pas une candidature" in message.body
    assert "- Le pôle : « stade de développement » n'est pas renseigné." in message.body
    assert "- Les pièces jointes : " in message.body
    assert f"{SITE_URL}/dossiers/PTCE-2026-P1-0042/recapitulatif/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert CLOSES_AT_FR in html and "Un brouillon n'est pas une candidature" in html
    assert "Réemploi &amp; Solidarités" in html
    assert message.to == ["camille.martin@example.fr"]
    assert message.body == snapshot
    # The co-editor reads the same message, but for who may submit.
    owner_only = "Vous êtes le titulaire du dossier : vous seul pouvez le déposer."
    coeditor = mailoutbox[1].body
    assert coeditor == message.body.replace(
        owner_only, "Seul le titulaire du dossier, Camille Martin, peut le déposer."
    )
    assert owner_only in message.body and owner_only not in coeditor


def test_draft_reminder_email_of_a_complete_draft_says_only_submission_is_left(
    referential, mailoutbox, django_capture_on_commit_callbacks
):
    phase = PhaseFactory(opens_at=OPENS_AT, closes_at=CLOSES_AT)
    DossierFactory(phase=phase, complete=True)

    sweep(DRAFTS, CLOSES_AT - 2 * dt.timedelta(hours=1) - SECOND, django_capture_on_commit_callbacks)

    [message] = mailoutbox
    assert message.subject.endswith("n'est pas encore déposé : date limite dans moins de 3 heures")
    assert "Le dossier est complet : il ne reste plus qu'à le déposer." in message.body
    assert "Ce qu'il reste à compléter" not in message.body


def test_correction_reminder_email_in_french_with_reason_and_due_date(
    mailoutbox, django_capture_on_commit_callbacks, snapshot
):
    owner = UserFactory(email="camille.martin@example.fr", first_name="Camille", last_name="Martin")
    correction = make_correction(
        "coeditrice@example.fr",
        dossier={"owner": owner, "reference": "PTCE-2026-P1-0042", "name": "Pôle Réemploi & Solidarités"},
    )

    sweep(CORRECTIONS, DUE_AT - 3 * DAY + dt.timedelta(minutes=10), django_capture_on_commit_callbacks)

    message, coeditor = mailoutbox
    assert message.subject == (
        "AMI PTCE — Corrections attendues sur votre dossier « Pôle Réemploi & Solidarités » (PTCE-2026-P1-0042) : "
        "échéance dans 3 jours"
    )
    assert f"Corrections attendues au plus tard le {DUE_AT_FR}, dans 3 jours." in message.body
    assert correction.reason in message.body
    assert "Étapes concernées : Les pièces jointes, Les membres du pôle." in message.body
    assert f"{SITE_URL}/dossiers/PTCE-2026-P1-0042/" in message.body
    assert "Merci de joindre la version signée." in message.alternatives[0][0]
    assert message.body == snapshot
    owner_only = "Vous êtes le titulaire du dossier : vous seul pouvez le déposer à nouveau."
    assert coeditor.body == message.body.replace(
        owner_only, "Seul le titulaire du dossier, Camille Martin, peut le déposer à nouveau."
    )


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (14 * DAY - dt.timedelta(minutes=55), "dans 14 jours"),
        (7 * DAY, "dans 7 jours"),
        (DAY + dt.timedelta(hours=13), "dans 2 jours"),
        (DAY, "dans 1 jour"),
        (dt.timedelta(hours=23, minutes=55), "dans moins de 24 heures"),
        (dt.timedelta(hours=2), "dans moins de 2 heures"),
        (dt.timedelta(minutes=40), "dans moins d'une heure"),
    ],
)
def test_time_left_in_french(left, text):
    assert reminders.time_left(left) == text


def test_email_key_fits_the_outbox_even_for_a_very_long_address(phase):
    dossier = make_draft(phase)
    address = f"{'x' * 180}@example.fr"

    key = reminders.email_key("draft_d7:20260731T100000Z", dossier, address)

    assert len(key) == 200
    assert key.startswith(f"reminder:draft_d7:20260731T100000Z:applications.dossier:{dossier.pk}:xxx")
    assert reminders.email_key("draft_d7:20260731T100000Z", dossier, "a@example.fr") == (
        f"reminder:draft_d7:20260731T100000Z:applications.dossier:{dossier.pk}:a@example.fr"
    )


# The tasks and their runs --------------------------------------------------------------------------------------


def test_tasks_run_the_sweeps_and_record_their_runs(phase, mailoutbox, django_capture_on_commit_callbacks):
    make_draft(phase, "coeditrice@example.fr")
    make_correction()

    with freeze_time(DUE_AT - 2 * DAY), django_capture_on_commit_callbacks(execute=True):
        drafts = application_tasks.remind_drafts.delay().get()
        corrections = application_tasks.remind_corrections.delay().get()

    assert (drafts, corrections) == (0, 1)
    with freeze_time(CLOSES_AT - 10 * DAY), django_capture_on_commit_callbacks(execute=True):
        drafts = application_tasks.remind_drafts.delay().get()
    assert drafts == 2
    runs = SweepRun.objects.order_by("pk").values_list("name", "processed", "error")
    assert list(runs) == [(DRAFTS, 0, ""), (CORRECTIONS, 1, ""), (DRAFTS, 2, "")]
    assert all(SweepRun.objects.values_list("finished_at", flat=True))


def test_another_app_can_register_a_reminder_source(phase, mailoutbox, django_capture_on_commit_callbacks):
    """What reviews will do for assignments: here a source on phases, reminding one fixed address."""
    dossier = make_draft(phase)
    source = reminders.register(
        reminders.ReminderSource(
            name="tests.remind_phase",
            queryset=lambda now: type(phase).objects.filter(pk=phase.pk),
            deadline_field="closes_at",
            windows=(reminders.Window("phase_d2", 2 * DAY),),
            recipients=lambda obj: ["equipe@example.fr"],
            template="applications/email/reminder_draft",
            context=lambda obj, due: {
                "dossier": dossier,
                "owner_name": "X",
                "missing": [],
                "summary_url": "/",
                **due.context(),
            },
        )
    )
    try:
        first = sweep(source.name, CLOSES_AT - DAY, django_capture_on_commit_callbacks)
        again = sweep(source.name, CLOSES_AT - DAY, django_capture_on_commit_callbacks)
    finally:
        del reminders.SOURCES[source.name]

    assert (first, again, sent(), len(mailoutbox)) == (1, 0, [("phase_d2", "equipe@example.fr")], 1)


# The default beat schedule -------------------------------------------------------------------------------------

beat_migration = importlib.import_module("applications.migrations.0005_beat_schedule")
task_sweep_migration = importlib.import_module("ptce_ami.core.migrations.0003_task_sweep_beat")
EXPECTED_SCHEDULE = {
    "applications.remind_drafts": ("crontab", "5 * * * *"),
    "applications.remind_corrections": ("crontab", "10 * * * *"),
    "core.requeue_emails": ("interval", "5 minutes"),
    "applications.send_daily_digests": ("crontab", "30 7 * * *"),
    "applications.requeue_notices": ("interval", "5 minutes"),
}


def schedule_of(task):
    if task.crontab:
        crontab = task.crontab
        cron = f"{crontab.minute} {crontab.hour} {crontab.day_of_month} {crontab.month_of_year} {crontab.day_of_week}"
        assert str(crontab.timezone) == "Europe/Paris"
        return "crontab", cron
    return "interval", f"{task.interval.every} {task.interval.period}"


def test_beat_migration_creates_the_default_periodic_tasks():
    PeriodicTask.objects.all().delete()

    beat_migration.create_default_tasks(django_apps, None)

    tasks = PeriodicTask.objects.all()
    assert {task.task: schedule_of(task) for task in tasks} == EXPECTED_SCHEDULE
    assert all(task.enabled and task.description for task in tasks)
    assert PeriodicTask.objects.get(task="applications.remind_drafts").name == (
        "Relances des brouillons non déposés (J-14, J-7, J-1)"
    )


def test_beat_migration_leaves_a_task_edited_by_staff_alone():
    PeriodicTask.objects.all().delete()
    beat_migration.create_default_tasks(django_apps, None)
    edited = PeriodicTask.objects.get(task="applications.remind_drafts")
    edited.crontab = CrontabSchedule.objects.create(minute="45", hour="8-18", timezone="Europe/Paris")
    edited.enabled, edited.description = False, "Décalé à la demande du bureau."
    edited.save()

    beat_migration.create_default_tasks(django_apps, None)

    edited.refresh_from_db()
    assert (edited.crontab.minute, edited.crontab.hour, edited.enabled) == ("45", "8-18", False)
    assert edited.description == "Décalé à la demande du bureau."
    assert PeriodicTask.objects.count() == len(EXPECTED_SCHEDULE)
    assert IntervalSchedule.objects.filter(every=5, period="minutes").count() == 1


def test_beat_migration_reversed_deletes_its_tasks_only():
    PeriodicTask.objects.all().delete()
    beat_migration.create_default_tasks(django_apps, None)
    PeriodicTask.objects.create(
        name="Tâche ajoutée par l'équipe", task="core.requeue_emails", interval=IntervalSchedule.objects.first()
    )

    beat_migration.delete_default_tasks(django_apps, None)

    assert list(PeriodicTask.objects.values_list("name", flat=True)) == ["Tâche ajoutée par l'équipe"]


def test_every_scheduled_task_exists():
    PeriodicTask.objects.all().delete()
    beat_migration.create_default_tasks(django_apps, None)
    task_sweep_migration.forwards(django_apps, None)  # core/0003: one sweep of queued tasks replaces two

    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {application_tasks.remind_drafts.name, core_tasks.requeue_tasks.name} <= scheduled
    assert scheduled <= set(current_app.tasks)
