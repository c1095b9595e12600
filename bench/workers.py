"""Benchmark of the background work (issue 4), on PostgreSQL and Redis, in one run:

1. the render time of a submission receipt (HTML + PDF), median and p95 of 20;
2. 1,000 receipts through 2 Celery workers (concurrency 1 each): wall time from queueing to the last one
   stored, and the same 1,000 in one worker, for the ratio;
3. the eligibility rules on 1,000 dossiers (inline): wall time and queries per dossier.

Usage (needs PostgreSQL and Redis; creates and drops the database ptce_bench_workers):
    .venv/bin/python bench/workers.py [--dossiers 1000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "ptce_bench_workers"
QUEUE = f"ptce-bench-{uuid.uuid4().hex[:6]}"
FOLDER = Path(tempfile.mkdtemp(prefix="ptce-bench-"))
ENV = {
    "DEBUG": "1",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
    "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    "EMAIL_URL": f"filemail:///{FOLDER / 'emails'}",  # an absolute path needs four slashes
    "MEDIA_ROOT": str(FOLDER / "media"),
    "LOG_LEVEL": "WARNING",
    "COMPANY_LOOKUP_URL": "",  # the benches measure the platform, never the company directory's network
}


def setup_django():
    sys.path[0] = str(ROOT)
    os.environ.update(ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ptce_ami.settings"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_territories", verbosity=0)


def seed(count):
    """``count`` submitted dossiers, each with 3 members, 2 attachments and a frozen version."""
    from django.core.files.base import ContentFile

    from ptce_ami.site.demo import tiny_pdf
    from tests.applications import factories

    phase = factories.PhaseFactory()
    owner = factories.UserFactory(email="bench@example.fr")
    template = factories.DossierFactory(phase=phase, owner=owner, complete=True)
    template.attachments.first().file.save("statuts.pdf", ContentFile(tiny_pdf("statuts")))
    return clone(template, count - 1) + [template]


def clone(template, count):
    from applications.models import Attachment, Dossier, MemberStructure

    members = list(template.members.all())
    attachments = list(template.attachments.all())
    communes = list(template.communes.all())
    sectors = list(template.sectors.all())
    dossiers = []
    for number in range(count):
        dossier = Dossier.objects.get(pk=template.pk)
        dossier.pk, dossier.reference, dossier.name = None, f"PTCE-2026-P1-B{number:05d}", f"Pôle {number}"
        dossiers.append(dossier)
    Dossier.objects.bulk_create(dossiers, batch_size=500)
    copies_of_members, copies_of_attachments = [], []
    for dossier in dossiers:
        for member in members:
            copies_of_members.append(MemberStructure(**field_values(member, exclude={"id"}), dossier_id=dossier.pk))
        for attachment in attachments:
            copies_of_attachments.append(Attachment(**field_values(attachment, exclude={"id"}), dossier_id=dossier.pk))
    MemberStructure.objects.bulk_create(copies_of_members, batch_size=1000)
    Attachment.objects.bulk_create(copies_of_attachments, batch_size=1000)
    Dossier.communes.through.objects.bulk_create(
        [Dossier.communes.through(dossier_id=d.pk, commune_id=c.pk) for d in dossiers for c in communes]
    )
    Dossier.sectors.through.objects.bulk_create(
        [Dossier.sectors.through(dossier_id=d.pk, sector_id=s.pk) for d in dossiers for s in sectors]
    )
    return dossiers


def field_values(instance, exclude):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name not in exclude and field.name != "dossier"
    }


def freeze_all(dossiers):
    """Submit every dossier the way submit_dossier does, without queueing (the benchmark queues itself)."""
    from django.utils import timezone

    from applications.models import Dossier, DossierVersion
    from applications.services import snapshots

    now = timezone.now()
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(state="submitted", submitted_at=now)
    versions = []
    for dossier in Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).select_related("phase__edition", "owner"):
        data = snapshots.serialize(dossier, *dossier.loaded_parts(), now)
        versions.append(
            DossierVersion(dossier=dossier, number=1, submitted_at=now, submitted_by=dossier.owner, data=data)
        )
    return DossierVersion.objects.bulk_create(versions, batch_size=500)


def bench_render(version, runs=20):
    from applications.services import notices
    from ptce_ami.core.pdf import html_to_pdf

    html_to_pdf(notices.render_receipt_html(version))  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        html_to_pdf(notices.render_receipt_html(version))
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(
        f"receipt render (HTML + PDF), n={runs}: median {statistics.median(timings):.0f} ms, "
        f"p95 {timings[int(0.95 * runs) - 1]:.0f} ms"
    )
    return statistics.median(timings)


def start_workers(number):
    env = {**os.environ, **ENV, "DJANGO_SETTINGS_MODULE": "ptce_ami.settings"}
    workers = []
    for index in range(number):
        log = FOLDER / f"worker-{index}.log"
        command = [sys.executable, "-m", "celery", "-A", "ptce_ami", "worker", "--concurrency=1", "--pool=prefork",
                   "-Q", QUEUE, "-n", f"{QUEUE}-{index}@localhost", "--without-gossip", "--without-mingle",
                   "--without-heartbeat", "--loglevel=WARNING", f"--logfile={log}"]  # fmt: skip
        workers.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL))
    time.sleep(4)  # the workers' start (Django set-up, WeasyPrint import) is not part of the measure
    return workers


def stop(workers):
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def bench_workers(versions, number):
    from applications.models import Notice
    from applications.tasks import issue_receipt
    from ptce_ami.core.models import OutboundEmail

    Notice.objects.all().delete()
    OutboundEmail.objects.all().delete()
    workers = start_workers(number)
    start = time.perf_counter()
    for version in versions:
        issue_receipt.apply_async(kwargs={"version_id": version.pk})
    while Notice.objects.filter(status="ready").count() < len(versions):
        time.sleep(0.5)
    elapsed = time.perf_counter() - start
    stop(workers)
    print(
        f"{len(versions)} receipts through {number} worker(s): {elapsed:.1f} s "
        f"({elapsed / len(versions) * 1000:.0f} ms per receipt, {len(versions) / elapsed:.1f} receipts/s)"
    )
    return elapsed


def bench_eligibility(dossiers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications import eligibility
    from applications.models import Dossier

    loaded = list(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).select_related("phase__edition"))
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for dossier in loaded:
            eligibility.evaluate(dossier)
    elapsed = time.perf_counter() - start
    print(
        f"eligibility of {len(loaded)} dossiers: {elapsed:.1f} s ({elapsed / len(loaded) * 1000:.1f} ms and "
        f"{len(queries) / len(loaded):.1f} queries per dossier)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    count = parser.parse_args().dossiers
    setup_django()
    from ptce_ami.celery import app

    app.conf.task_always_eager = False
    print(f"seeding {count} dossiers…")
    versions = freeze_all(seed(count))
    median = bench_render(versions[0])
    one = bench_workers(versions, 1)
    two = bench_workers(versions, 2)
    print(
        f"ratio 1 worker / 2 workers: {one / two:.2f}; 2 workers vs {count} × median render: "
        f"{two / (count * median / 1000):.2f}"
    )
    bench_eligibility([version.dossier for version in versions])


if __name__ == "__main__":
    main()
