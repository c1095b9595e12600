"""Benchmark of the instruction list's export (issue 5): 5,000 submitted dossiers to XLSX and CSV.

Seeds a separate PostgreSQL database with ``--dossiers`` submitted dossiers (4 members each, territory,
sectors, an eligibility run each; a score for half of them, a regional opinion for a third, a submitted review
for a fifth), then builds the export of all of them as an instructeur would (reviews.services.exports.build_export,
the task's service) ``--runs`` times per format, and prints the median wall time, the number of queries and
the file size. The export must stay under 30 s. Before, it times the instruction list (first page, sorted,
filtered, a far page) and a staff dossier page at that scale: median of 20 and number of queries.

In-process (the build's own time, with its CPU time beside: the machine may be shared); bench/scale_workers.py
measures the same export queued and built by a Celery worker.

Usage (needs PostgreSQL; creates and drops the database ptce_bench_export):
    .venv/bin/python bench/export.py [--dossiers 5000] [--runs 3] [--skip-pages]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "ptce_bench_export"
FOLDER = Path(tempfile.mkdtemp(prefix="ptce-bench-export-"))
ENV = {
    "DEBUG": "1",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "CELERY_BROKER_URL": "",
    "EMAIL_URL": f"filemail:///{FOLDER / 'emails'}",  # an absolute path needs four slashes
    "MEDIA_ROOT": str(FOLDER / "media"),
    "LOG_LEVEL": "WARNING",
    "COMPANY_LOOKUP_URL": "",  # the benches measure the platform, never the company directory's network
    # The staff pages without the second factor (the bench measures pages, not TOTP): else every page redirects.
    "TWO_FACTOR_REQUIRED_ROLES": "",
}
LIMIT_SECONDS = 30


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
    """``count`` submitted dossiers cloned from one complete dossier with 4 members; returns the dossiers."""
    from django.utils import timezone

    from applications.models import Dossier
    from tests.applications import factories

    phase = factories.PhaseFactory()
    owner = factories.UserFactory(email="bench-export@example.fr")
    template = factories.DossierFactory(phase=phase, owner=owner, complete=True)
    factories.MemberFactory(dossier=template, category="research", ess_legal_form="", name="Université de Lyon")
    dossiers = clone(template, count - 1) + [template]
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(state="submitted", submitted_at=timezone.now())
    return dossiers


def clone(template, count):
    from applications.models import Dossier, MemberStructure

    members = list(template.members.all())
    dossiers = []
    for number in range(count):
        dossier = Dossier.objects.get(pk=template.pk)
        dossier.pk, dossier.reference = None, f"PTCE-2026-P1-E{number:05d}"
        dossier.name = f"Pôle de coopération économique n° {number} — Rhône-Alpes"
        dossiers.append(dossier)
    Dossier.objects.bulk_create(dossiers, batch_size=500)
    MemberStructure.objects.bulk_create(
        [
            MemberStructure(**field_values(member), dossier_id=dossier.pk, siret=f"{dossier.pk:09d}{index:05d}")
            for dossier in dossiers
            for index, member in enumerate(members)
        ],
        batch_size=2000,
    )
    for name in ("communes", "sectors", "departements", "epcis"):
        through = getattr(Dossier, name).through
        column = getattr(Dossier, name).field.m2m_reverse_name()
        related = list(getattr(template, name).values_list("pk", flat=True))
        through.objects.bulk_create(
            [through(dossier_id=d.pk, **{column: pk}) for d in dossiers for pk in related], batch_size=2000
        )
    return dossiers


def field_values(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name not in {"id", "dossier", "siret"}
    }


def add_instruction(dossiers):
    """Eligibility runs for all, scores for half, regional opinions for a third, a review for a fifth."""
    from django.utils import timezone

    from applications.models import EligibilityResult, EligibilityRun
    from reviews.models import Assignment, DossierScore, Grid, RegionalOpinion, Review
    from tests.accounts.factories import UserFactory

    now = timezone.now()
    runs = EligibilityRun.objects.bulk_create(
        [EligibilityRun(dossier=d, key=f"bench-{d.pk}", trigger="submission") for d in dossiers], batch_size=2000
    )
    EligibilityResult.objects.bulk_create(
        [
            EligibilityResult(run=run, rule_id=rule, title=title, status=status, explanation="…", legal_basis="…")
            for run in runs
            for rule, title, status in (("2", "Trois personnes morales", "pass"), ("6", "Territoire", "warning"))
        ],
        batch_size=2000,
    )
    DossierScore.objects.bulk_create(
        [
            DossierScore(dossier=d, value=Decimal(50 + i % 50), spread=Decimal(i % 20), review_count=2)
            for i, d in enumerate(dossiers[::2])
        ],
        batch_size=2000,
    )
    partner = UserFactory(partenaire=True, email="bench-cress@example.fr")
    RegionalOpinion.objects.bulk_create(
        [
            RegionalOpinion(
                dossier=d, region_id="84", opinion="favourable", text="Avis de la CRESS.", rank=i + 1, author=partner
            )
            for i, d in enumerate(dossiers[::3])
        ],
        batch_size=2000,
    )
    reviewer, staff = UserFactory(evaluateur=True), UserFactory(instructeur=True)
    grid = Grid.objects.for_phase(dossiers[0].phase)
    assignments = Assignment.objects.bulk_create(
        [Assignment(dossier=d, reviewer=reviewer, assigned_by=staff, status="submitted") for d in dossiers[::5]],
        batch_size=2000,
    )
    Review.objects.bulk_create(
        [
            Review(
                assignment=a,
                dossier_id=a.dossier_id,
                grid=grid,
                status="submitted",
                recommendation="favourable",
                total=Decimal("68.75"),
                submitted_at=now,
            )
            for a in assignments
        ],  # fmt: skip
        batch_size=2000,
    )
    return staff


def bench(user, export_format, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.models import Export
    from reviews.services import exports

    timings, cpu, queries, export = [], [], 0, None
    for _ in range(runs):
        export = Export.objects.create(requested_by=user, format=export_format)
        start, start_cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            exports.build_export(export)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        queries = len(captured)
        assert export.status == "ready", export.error
    median = statistics.median(timings)
    verdict = "OK" if median < LIMIT_SECONDS else "TOO SLOW"
    print(
        f"{export_format.upper()} export of {export.total} dossiers, n={runs}: median {median:.1f} s "
        f"(min {min(timings):.1f}, max {max(timings):.1f}), CPU {statistics.median(cpu):.1f} s, {queries} queries, "
        f"{export.file.size / 1e6:.1f} MB — {verdict} (limit {LIMIT_SECONDS} s; load average "
        f"{os.getloadavg()[0]:.1f})"
    )
    return median


def bench_pages(user, reference, runs=20):
    """Median time and queries of the instruction pages at this scale, through Django's test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    pages = [
        ("list, first page", "/instruction/"),
        ("list, sorted by score", "/instruction/?o=-score"),
        ("list, search and filters", "/instruction/?q=pole&state=submitted&state=in_review&score_min=40"),
        ("list, page 50", "/instruction/?page=50"),
        ("staff dossier page", f"/instruction/dossiers/{reference}/"),
    ]
    for label, url in pages:
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{label}: median {statistics.median(timings) * 1000:.0f} ms, {len(captured)} queries (n={runs})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-pages", action="store_true", help="the exports only")
    arguments = parser.parse_args()
    setup_django()
    print(f"seeding {arguments.dossiers} dossiers…")
    start = time.perf_counter()
    dossiers = seed(arguments.dossiers)
    staff = add_instruction(dossiers)
    print(f"seeded in {time.perf_counter() - start:.0f} s")
    if not arguments.skip_pages:
        bench_pages(staff, dossiers[0].reference)
    medians = [bench(staff, export_format, arguments.runs) for export_format in ("xlsx", "csv")]
    sys.exit(0 if max(medians) < LIMIT_SECONDS else 1)


if __name__ == "__main__":
    main()
