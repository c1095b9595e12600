"""Benchmark of the background work at national scale (issue 15, part 4), on PostgreSQL and Redis, through real
Celery workers (2 by default, concurrency 1 each, prefork, as `make worker` runs them):

1. ``--receipts`` submissions' background work: a receipt (HTML + PDF, then its e-mails) and an eligibility run for
   each, queued as submit_dossier queues them (the Notice and QueuedTask rows first, the tasks after commit);
2. the drafts' reminder sweep (the beat task ``applications.remind_drafts``) over ``--drafts`` drafts due for their
   D-7 reminder, then the e-mails it queues;
3. an XLSX export of ``--export`` dossiers (one or more sizes), queued as the staff list's "Exporter" queues it
   (reviews.services.exports.request_export), built by a worker.

For each: the wall time from queueing to the last row written, and the peak memory of every worker process (VmHWM,
the high-water mark of its resident set, read from /proc: the pool child does the work, the main process only
receives), and their CPU time. Each step starts fresh workers, so that each peak is that step's own. Prints a table.

The data are cloned from one complete dossier with INSERT … SELECT (seconds for 100,000 dossiers), in the database
ptce_workers_scale, created at the start and dropped at the end with the files written (``--keep`` keeps them).

Usage (needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, db 13):
    .venv/bin/python bench/scale_workers.py [--receipts 1000] [--drafts 20000] [--export 20000 100000] [--workers 2]

The exports run first (on the dossiers seeded for them), then the sweep, then the receipts.
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "ptce_workers_scale"
QUEUE = f"ptce-scale-{uuid.uuid4().hex[:6]}"
FOLDER = Path(tempfile.mkdtemp(prefix="ptce-scale-workers-"))
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
    "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    "EMAIL_URL": f"filemail:///{FOLDER / 'emails'}",  # an absolute path needs four slashes
    "MEDIA_ROOT": str(FOLDER / "media"),
    "STATIC_ROOT": str(FOLDER / "static"),  # DEBUG off: the PDFs' stylesheets come from the collected manifest
    "LOG_LEVEL": "WARNING",
    "COMPANY_LOOKUP_URL": "",  # the benches measure the platform, never the company directory's network
    "DJANGO_SETTINGS_MODULE": "ptce_ami.settings",
}
TICKS = os.sysconf("SC_CLK_TCK")
STARTED = []  # every worker started, stopped at the end whatever happens
POLL = 0.5


# Database ------------------------------------------------------------------------------------------------------


def createdb():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)


def dropdb():
    from django.db import connections

    connections.close_all()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True)


def setup_django():
    sys.path[0] = str(ROOT)
    os.environ.update(ENV)
    createdb()
    import django

    django.setup()
    from django.core.management import call_command

    from ptce_ami.celery import app

    app.conf.task_always_eager = False
    call_command("migrate", verbosity=0)
    call_command("load_territories", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def clone(model, *, where, params=(), source="", overrides=None):
    """INSERT INTO model's table SELECT its columns from the rows ``where`` (alias t) joined with ``source``, the
    columns in ``overrides`` (column → SQL expression) replaced; returns the new primary keys in order."""
    from django.db import connection

    quote = connection.ops.quote_name
    table = model._meta.db_table
    columns = [field.column for field in model._meta.concrete_fields if not field.primary_key]
    values = [(overrides or {}).get(column, f"t.{quote(column)}") for column in columns]
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(column) for column in columns)}) "
        f"SELECT {', '.join(values)} FROM {quote(table)} t {source} WHERE {where} RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def clone_dossiers(template, count, prefix, **overrides):
    """``count`` copies of ``template`` with their members, communes and sectors; returns their primary keys."""
    from applications.models import Dossier, MemberStructure

    pks = clone(
        Dossier,
        where="t.id = %s",
        params=[count, template.pk],
        source="CROSS JOIN generate_series(1, %s) AS n",
        overrides={
            "reference": f"'{prefix}-' || lpad(n::text, 6, '0')",
            "name": "'Pôle de coopération n° ' || n",
            **overrides,
        },
    )
    copies = "CROSS JOIN unnest(%s::bigint[]) AS d(id)"
    clone(MemberStructure, where="t.dossier_id = %s", params=[pks, template.pk], source=copies,
          overrides={"dossier_id": "d.id"})  # fmt: skip
    for name in ("communes", "sectors", "departements", "epcis"):
        through = getattr(Dossier, name).through
        clone(through, where="t.dossier_id = %s", params=[pks, template.pk], source=copies,
              overrides={"dossier_id": "d.id"})  # fmt: skip
    return pks


# Workers -------------------------------------------------------------------------------------------------------


def start_workers(number, env=None):
    """``number`` workers on the bench's queue, once each answers a ping (their start is not part of the measure)."""
    from ptce_ami.celery import app

    env = env or ENV
    queue = env["CELERY_TASK_DEFAULT_QUEUE"]
    workers = []
    for index in range(number):
        log = FOLDER / f"worker-{index}.log"
        command = [sys.executable, "-m", "celery", "-A", "ptce_ami", "worker", "--concurrency=1", "--pool=prefork",
                   "-Q", queue, "-n", f"{queue}-{index}@localhost", "--without-gossip", "--without-mingle",
                   "--without-heartbeat", "--loglevel=WARNING", f"--logfile={log}"]  # fmt: skip
        workers.append(subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL))
    STARTED.extend(workers)
    names = [f"{queue}-{index}@localhost" for index in range(number)]
    wait_for(lambda: len(app.control.ping(destination=names, timeout=1) or ()) == number, "the workers' start", 300)
    time.sleep(1)  # the pool children are forked
    return workers, {pid: usage(pid)[1] for pid in processes(workers)}


def processes(workers):
    """The pids of the workers' main processes and of their pool children."""
    pids = []
    for worker in workers:
        pids.append(worker.pid)
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
        pids += [int(pid) for pid in children.read_text().split()] if children.exists() else []
    return pids


def usage(pid):
    """(peak resident set in MB, CPU seconds) of a live process."""
    status = Path(f"/proc/{pid}/status").read_text()
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return peak, (int(fields[11]) + int(fields[12])) / TICKS


def stop(started):
    """Read each worker process's peak memory and CPU time since it was ready, then stop them; returns
    [(pid, MB, s), …]."""
    workers, cpu_at_start = started
    measures = [
        (pid, peak, cpu - cpu_at_start.get(pid, 0)) for pid in processes(workers) for peak, cpu in [usage(pid)]
    ]
    terminate(workers)
    return measures


def terminate(workers):
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def wait_for(done, what, timeout):
    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"{what}: not done after {timeout} s (worker logs in {FOLDER})")
        if failed_tasks():
            raise SystemExit(f"{what}: {failed_tasks()} task(s) failed, see core_queuedtask.last_error")
        time.sleep(POLL)
    return time.perf_counter() - start


def all_tasks_done():
    from ptce_ami.core.models import QueuedTask, TaskStatus

    return not QueuedTask.objects.exclude(status=TaskStatus.DONE).exists()


def failed_tasks():
    from ptce_ami.core.models import QueuedTask, TaskStatus

    return QueuedTask.objects.filter(status=TaskStatus.FAILED).count()


# 1. Receipts and eligibility -----------------------------------------------------------------------------------


def submitted_versions(count):
    """``count`` submitted dossiers with their frozen version, as submit_dossier leaves them (nothing queued)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from applications.models import Attachment, Dossier, DossierVersion
    from applications.services import snapshots
    from ptce_ami.site.demo import tiny_pdf
    from tests.applications import factories

    phase = factories.PhaseFactory()
    owner = factories.UserFactory(email="bench-scale@example.fr")
    template = factories.DossierFactory(phase=phase, owner=owner, complete=True)
    template.attachments.first().file.save("statuts.pdf", ContentFile(tiny_pdf("statuts")))
    pks = clone_dossiers(template, count - 1, "PTCE-2026-P1-R") + [template.pk]
    clone(Attachment, where="t.dossier_id = %s", params=[pks[:-1], template.pk],
          source="CROSS JOIN unnest(%s::bigint[]) AS d(id)", overrides={"dossier_id": "d.id"})  # fmt: skip
    now = timezone.now()
    Dossier.objects.filter(pk__in=pks).update(state="submitted", submitted_at=now)
    versions = []
    for dossier in Dossier.objects.filter(pk__in=pks).select_related("phase__edition", "owner"):
        data = snapshots.serialize(dossier, *dossier.loaded_parts(), now)
        versions.append(DossierVersion(dossier=dossier, number=1, submitted_at=now, submitted_by=owner, data=data))
    return DossierVersion.objects.bulk_create(versions, batch_size=500)


def bench_submissions(versions, number):
    from django.db import transaction

    from applications.models import EligibilityRun, EligibilityTrigger, Notice
    from applications.services import eligibility, notices
    from ptce_ami.core.queue import enqueue

    workers = start_workers(number)
    start = time.perf_counter()
    with transaction.atomic():  # as submit_dossier: the rows, then the tasks once the transaction commits
        for version in versions:
            notices.receipt_notice(version)
            enqueue("applications.issue_receipt", version_id=version.pk)
            eligibility.request_run(version.dossier, trigger=EligibilityTrigger.SUBMISSION, version=version)
    count = len(versions)
    wait_for(
        lambda: (
            Notice.objects.filter(status="ready").count() >= count
            and EligibilityRun.objects.filter(key__startswith="submission:").count() >= count
        ),
        "receipts and eligibility",
        3600,
    )
    work = time.perf_counter() - start
    wait_for(all_tasks_done, "the receipts' e-mails", 3600)
    total = time.perf_counter() - start
    measures = stop(workers)
    return {
        "step": f"{count:,} receipts + {count:,} eligibility runs",
        "wall": work,
        "then": f"{total:.1f} s with the {count:,} receipts' e-mails",
        "failed": failed_tasks(),
        "measures": measures,
    }


# 2. The drafts' reminder sweep ---------------------------------------------------------------------------------


def drafts_due(count):
    """``count`` drafts in a phase that closes in 5 days: each is due its D-7 reminder."""
    from django.utils import timezone

    from tests.applications import factories

    phase = factories.PhaseFactory(
        opens_at=timezone.now() - datetime.timedelta(days=30), closes_at=timezone.now() + datetime.timedelta(days=5)
    )
    owner = factories.UserFactory(email="bench-drafts@example.fr")
    template = factories.DossierFactory(phase=phase, owner=owner, complete=True)
    return clone_dossiers(template, count - 1, "PTCE-2026-P1-D") + [template.pk]


def bench_sweep(count, number):
    from applications.tasks import remind_drafts
    from ptce_ami.core.models import OutboundEmail, SentReminder, SweepRun

    workers = start_workers(number)
    start = time.perf_counter()
    # As beat sends it: the task alone, no row first (a sweep that is lost runs again at the next beat).
    remind_drafts.apply_async()
    wait_for(lambda: SweepRun.objects.filter(name="applications.remind_drafts", finished_at__isnull=False).exists(),
             "the sweep", 3600)  # fmt: skip
    sweep = time.perf_counter() - start
    wait_for(all_tasks_done, "the reminders' e-mails", 3600)
    total = time.perf_counter() - start
    measures = stop(workers)
    run = SweepRun.objects.get(name="applications.remind_drafts")
    assert run.error == "", run.error
    sent = SentReminder.objects.count()
    assert sent == run.processed == count, (sent, run.processed, count)
    return {
        "step": f"reminder sweep over {count:,} drafts",
        "wall": sweep,
        "then": f"{total:.1f} s with the {reminders_sent(OutboundEmail):,} e-mails sent",
        "failed": failed_tasks(),
        "measures": measures,
    }


def reminders_sent(model):
    return model.objects.filter(status="sent", key__startswith="reminder:").count()


# 3. The export -------------------------------------------------------------------------------------------------


def exported_dossiers(count):
    """``count`` submitted dossiers (with the receipts' ones) with 4 members, a territory, sectors, an eligibility run
    with 2 results each; a score for half, a regional opinion for a third."""
    from django.db import connection
    from django.utils import timezone

    from applications.models import Dossier
    from tests.applications import factories

    existing = Dossier.objects.filter(submitted_at__isnull=False).count()
    if count <= existing:
        return
    phase = factories.PhaseFactory(closed=True)
    owner = factories.UserFactory(email=f"bench-export-{count}@example.fr")
    template = factories.DossierFactory(phase=phase, owner=owner, complete=True)
    factories.MemberFactory(dossier=template, category="research", ess_legal_form="", name="Université de Lyon")
    Dossier.objects.filter(pk=template.pk).update(state="submitted", submitted_at=timezone.now())
    pks = clone_dossiers(template, count - existing - 1, f"PTCE-2025-X{count // 1000}") + [template.pk]
    partner = factories.UserFactory(partenaire=True, email=f"bench-cress-{count}@example.fr")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO applications_eligibilityrun (dossier_id, key, trigger, created_at) "
            "SELECT d, 'bench-' || d, 'submission', now() FROM unnest(%s::bigint[]) AS d",
            [pks],
        )
        cursor.execute(
            "INSERT INTO applications_eligibilityresult (run_id, rule_id, title, status, explanation, legal_basis, "
            "details, translations, override_status, override_motivation) "
            "SELECT r.id, x.rule, x.title, x.status, '…', '…', '[]', '{}', '', '' FROM applications_eligibilityrun r "
            "CROSS JOIN (VALUES ('2', 'Trois personnes morales', 'pass'), ('6', 'Territoire', 'warning')) "
            "AS x(rule, title, status) WHERE r.dossier_id = ANY(%s)",
            [pks],
        )
        cursor.execute(
            "INSERT INTO reviews_dossierscore (dossier_id, value, spread, review_count, discordant, updated_at) "
            "SELECT d, 50 + d %% 50, d %% 20, 2, false, now() FROM unnest(%s::bigint[]) AS d WHERE d %% 2 = 0",
            [pks],
        )
        cursor.execute(
            "INSERT INTO reviews_regionalopinion (dossier_id, region_id, opinion, text, rank, author_id, updated_at) "
            "SELECT d, '84', 'favourable', 'Avis de la CRESS.', 1 + d %% 1000, %s, now() "
            "FROM unnest(%s::bigint[]) AS d WHERE d %% 3 = 0",
            [partner.pk, pks],
        )


def bench_export(number):
    from reviews.models import Export
    from reviews.services import exports
    from tests.accounts.factories import UserFactory

    staff = UserFactory(instructeur=True)
    workers = start_workers(number)
    start = time.perf_counter()
    export = exports.request_export(staff, query="", export_format="xlsx")
    wait_for(lambda: Export.objects.filter(pk=export.pk, status__in=["ready", "failed"]).exists(), "the export", 3600)
    elapsed = time.perf_counter() - start
    measures = stop(workers)
    export.refresh_from_db()
    assert export.status == "ready", export.error
    return {
        "step": f"XLSX export of {export.total:,} dossiers",
        "wall": elapsed,
        "then": f"{export.file.size / 1e6:.1f} MB",
        "failed": failed_tasks(),
        "measures": measures,
    }


# Report --------------------------------------------------------------------------------------------------------


HEADER = f"{'step':<46} {'wall':>9} {'worker peak RSS (MB)':>24} {'worker CPU':>11}  notes"


def line(result):
    peaks = " / ".join(f"{peak:.0f}" for _pid, peak, _cpu in result["measures"])
    cpu = sum(seconds for _pid, _peak, seconds in result["measures"])
    notes = f"{result['then']}; {result['failed']} failed task(s); load {os.getloadavg()[0]:.1f}"
    return f"{result['step']:<46} {result['wall']:>7.1f} s {peaks:>24} {cpu:>9.1f} s  {notes}"


def table(results, number):
    print()
    print(HEADER)
    print("-" * 130)
    for result in results:
        print(result["line"])
    print(f"\n{number} workers (concurrency 1, prefork): RSS listed as main / pool child for each worker. "
          f"Load average: {' '.join(f'{load:.1f}' for load in os.getloadavg())}")  # fmt: skip


def report(results, result):
    result["line"] = line(result)  # the load average of the moment, next to the figures
    results.append(result)
    print(result["line"], flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=1000)
    parser.add_argument("--drafts", type=int, default=20000)
    parser.add_argument("--export", type=int, nargs="*", default=[100000], help="sizes, in increasing order")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database ptce_workers_scale")
    arguments = parser.parse_args()
    setup_django()
    results = []
    print(HEADER, flush=True)
    try:
        for size in arguments.export:  # first: the dossiers the other steps add are not in the exports
            start = time.perf_counter()
            exported_dossiers(size)
            print(f"(seeded up to {size:,} submitted dossiers in {time.perf_counter() - start:.0f} s)", flush=True)
            report(results, bench_export(arguments.workers))
        if arguments.drafts:
            drafts_due(arguments.drafts)
            report(results, bench_sweep(arguments.drafts, arguments.workers))
        if arguments.receipts:
            report(results, bench_submissions(submitted_versions(arguments.receipts), arguments.workers))
        table(results, arguments.workers)
    finally:
        terminate(STARTED)
        if not arguments.keep:
            dropdb()
            shutil.rmtree(FOLDER, ignore_errors=True)  # the e-mails, PDFs, exports and worker logs


if __name__ == "__main__":
    main()
