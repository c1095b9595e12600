"""Benchmark of the selection's staff pages (issue 11): the committee view and the grant list, at a small and a large
scale in the same run, each against the floor (/healthz: one query) measured in the same run.

Seeds a separate PostgreSQL database (bench/export.py's seeding: complete dossiers with members, territory, sectors,
eligibility runs, scores, opinions and reviews) with ``--small`` eligible dossiers in the committee's phase-2 phase,
each with its budget's requested aid and a provisional decision for one in ten, and a published decision and a
grant with three tranches for one in five; measures; then grows the same phase to ``--large`` dossiers and measures
again. Prints, for each page and scale, the median of ``--runs`` requests through Django's test client, the number of
queries, and the ratio to the floor. The pages are bounded (50 rows), so the large-scale medians should stay close
to the small-scale ones.

Usage (needs PostgreSQL; creates and drops the database ptce_bench_selection):
    .venv/bin/python bench/selection.py [--small 100] [--large 10000] [--runs 20]
"""

import argparse
import statistics
import sys
import time
from decimal import Decimal

import export  # bench/export.py: the database and the seeding of complete dossiers

# A database of its own, so that the two benchmarks may run side by side.
export.DATABASE = "ptce_bench_selection"
export.ENV["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{export.DATABASE}"


def grow(phase, template, count, start):
    """``count`` more eligible dossiers of ``phase`` (clones of ``template``), with their requested aid, a provisional
    decision for one in ten, and a published decision with its grant and tranches for one in five."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from applications.enums import BudgetCategory
    from applications.models import BudgetLine, Dossier
    from reviews.models import Decision, DossierScore, Grant, Payment

    dossiers = export.clone(template, count)
    for index, dossier in enumerate(dossiers):
        dossier.reference = f"PTCE-2026-P2-S{start + index:06d}"
    Dossier.objects.bulk_update(dossiers, ["reference"], batch_size=2000)
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(
        phase=phase, state="eligible", submitted_at=timezone.now()
    )
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(dossier=d, year=year, side="resources", category=BudgetCategory.AMI_GRANT, amount=20_000)
            for d in dossiers
            for year in (1, 2)
        ],
        batch_size=5000,
    )
    DossierScore.objects.bulk_create(
        [
            DossierScore(dossier=d, value=Decimal(40 + i % 60), spread=Decimal(i % 15), review_count=2)
            for i, d in enumerate(dossiers)
        ],  # fmt: skip
        batch_size=5000,
        ignore_conflicts=True,
    )
    staff = get_user_model().objects.filter(role="instructeur").first()
    now = timezone.now()
    Decision.objects.bulk_create(
        [
            Decision(dossier=d, outcome="laureate", amount=40_000, motivation="Banc d'essai.", decided_by=staff)
            for d in dossiers[1::10]
        ],
        batch_size=5000,
    )
    published = Decision.objects.bulk_create(
        [
            Decision(
                dossier=d,
                outcome="laureate",
                amount=40_000,
                motivation="Banc d'essai.",
                decided_by=staff,
                published_at=now,
                published_by=staff,
            )
            for d in dossiers[::5]
        ],
        batch_size=5000,
    )
    Dossier.objects.filter(pk__in=[d.pk for d in dossiers[::5]]).update(state="laureate")
    grants = Grant.objects.bulk_create(
        [Grant(dossier_id=d.dossier_id, decision=d, amount=40_000) for d in published], batch_size=5000
    )
    Payment.objects.bulk_create(
        [
            Payment(grant=g, position=p, label=f"Tranche {p}", percent=pc, amount=400 * pc, condition=c)
            for g in grants
            for p, pc, c in ((1, 60, "signature"), (2, 30, "interim_report"), (3, 10, "final_report"))
        ],
        batch_size=5000,
    )


def analyze():
    """Fresh planner statistics, as autovacuum would have after such inserts."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client, pages, runs):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the seeding filled DEBUG's query log, which would hide the pages' queries
    results = {}
    for label, url in pages:
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        results[label] = (statistics.median(timings) * 1000, len(captured))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", type=int, default=200, help="eligible dossiers in the committee's phase")
    parser.add_argument("--small", type=int, default=100, help="dossiers elsewhere, first measure")
    parser.add_argument("--large", type=int, default=20_000, help="dossiers elsewhere, second measure")
    parser.add_argument("--runs", type=int, default=20)
    arguments = parser.parse_args()
    export.setup_django()
    from django.test import Client

    from tests.accounts.factories import UserFactory
    from tests.applications.factories import EditionFactory, PhaseFactory

    dossiers = export.seed(2)
    export.add_instruction(dossiers)
    for dossier in dossiers:  # free the clones' references (each clone() numbers from 0)
        type(dossier).objects.filter(pk=dossier.pk).update(reference=f"PTCE-2026-P1-T{dossier.pk:05d}")
    phase = PhaseFactory(phase2=True, envelope=Decimal(100_000_000), closed=True)
    staff = UserFactory(instructeur=True, email="bench-committee@example.fr")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    pages = [
        ("floor (/healthz, one query)", "/healthz"),
        ("committee view, ranked by score", f"/instruction/comite/phases/{phase.pk}/"),
        (
            "committee view, filtered (region, proposal)",
            f"/instruction/comite/phases/{phase.pk}/?region=84&proposal=laureate",
        ),
        ("committee view, page 2", f"/instruction/comite/phases/{phase.pk}/?page=2"),
        ("grant list", "/instruction/aides/"),
        ("grant list, filtered (region, status)", "/instruction/aides/?region=84&status=active"),
    ]
    table = {}
    grow(phase, dossiers[0], arguments.phase, 0)
    # The rest of the database: the dossiers, decisions and grants of another edition (the history of the call).
    elsewhere = PhaseFactory(phase2=True, closed=True, edition=EditionFactory(year=2025))
    done = 0
    for scale in (arguments.small, arguments.large):
        start = time.perf_counter()
        grow(elsewhere, dossiers[0], scale - done, arguments.phase + done)
        done = scale
        analyze()
        print(
            f"{arguments.phase} dossiers in the committee's phase, {scale} in another edition "
            f"(seeded in {time.perf_counter() - start:.0f} s)"
        )
        table[scale] = measure(client, pages, arguments.runs)
    floor = {scale: results[pages[0][0]][0] for scale, results in table.items()}
    print(f"\n{'page':<46} " + "  ".join(f"{f'{s} dossiers':>26}" for s in table) + "   large/small")
    for label, _url in pages:
        cells = []
        for scale, results in table.items():
            median, queries = results[label]
            cells.append(f"{median:7.1f} ms {queries:3d} q ×{median / floor[scale]:5.1f}")
        ratio = table[arguments.large][label][0] / table[arguments.small][label][0]
        print(f"{label:<46} " + "  ".join(f"{cell:>26}" for cell in cells) + f"   {ratio:5.2f}")
    sys.exit(0)


if __name__ == "__main__":
    main()
