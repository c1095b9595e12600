"""Benchmark of the pages of issue 12 (dashboards, public pages, API): at a small and a large scale in the same run,
each against the floor (/healthz: one query) measured in the same run.

Seeds a separate PostgreSQL database with bench/selection.py's ``grow``: eligible dossiers with their requested aid,
provisional decisions for one in ten, published decisions with grants and tranches for one in five, all in the edition
the dashboards show, so that every figure aggregates them (unlike the paginated lists, a dashboard's figures read
every dossier of its scope: the figures are SQL aggregations, in a constant number of queries). Measures each page
cold (the statistics cache emptied before each request: the cost of a recomputation) and warm (the figures served
from the cache, as for 60 s after a first view), then grows the edition to ``--large`` dossiers and measures again.

Usage (needs PostgreSQL; creates and drops the database ptce_bench_dashboards):
    .venv/bin/python bench/dashboards.py [--small 100] [--large 20000] [--runs 15]
"""

import argparse
import statistics
import sys
import time

import export  # bench/export.py: the database and the seeding of complete dossiers
import selection  # bench/selection.py: grow() and analyze()

export.DATABASE = "ptce_bench_dashboards"
export.ENV["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{export.DATABASE}"


def measure(client, pages, runs):
    """{label: (median ms, queries)} for each (label, url, headers, cold) page."""
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    results = {}
    for label, url, headers, cold in pages:
        timings = []
        client.get(url, headers=headers)  # a first request fills the cache for the warm measures
        for _ in range(runs):
            if cold:
                cache.clear()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, headers=headers)
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        results[label] = (statistics.median(timings) * 1000, len(captured))
    cache.clear()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100, help="dossiers of the edition, first measure")
    parser.add_argument("--large", type=int, default=20_000, help="dossiers of the edition, second measure")
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()
    export.setup_django()
    from decimal import Decimal

    from django.conf import settings
    from django.test import Client

    from ptce_ami.accounts.services import create_api_token
    from tests.accounts.factories import UserFactory
    from tests.applications.factories import EditionFactory, PhaseFactory

    settings.API_RATE_LIMIT = "100000/min"  # the bench measures pages, not the rate limit
    dossiers = export.seed(2)
    export.add_instruction(dossiers)
    for dossier in dossiers:  # free the clones' references (each clone() numbers from 0)
        type(dossier).objects.filter(pk=dossier.pk).update(reference=f"PTCE-2026-P1-T{dossier.pk:05d}")
    edition = EditionFactory(year=2030, published=True)
    phase = PhaseFactory(phase2=True, envelope=Decimal(100_000_000), closed=True, edition=edition)
    region = dossiers[0].region_id
    staff = UserFactory(instructeur=True, email="bench-dashboards@example.fr")
    _token, secret = create_api_token(staff, name="banc d'essai", days=30)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    chosen = f"?edition={edition.pk}"
    bearer = {"Authorization": f"Bearer {secret}"}
    pages = [
        ("floor (/healthz, one query)", "/healthz", {}, False),
        ("national dashboard, cold", f"/tableau-de-bord/national/{chosen}", {}, True),
        ("national dashboard, warm", f"/tableau-de-bord/national/{chosen}", {}, False),
        ("regional dashboard, cold", f"/tableau-de-bord/regions/{region}/{chosen}", {}, True),
        ("regional dashboard, warm", f"/tableau-de-bord/regions/{region}/{chosen}", {}, False),
        ("public laureates (map and list)", "/laureats/", {}, False),
        ("public call page", "/appel/", {}, False),
        ("API: dossiers, first page", "/api/v1/dossiers", bearer, False),
        ("API: decisions, filtered by region", f"/api/v1/decisions?region={region}", bearer, False),
    ]
    table = {}
    done = 0
    for scale in (arguments.small, arguments.large):
        start = time.perf_counter()
        selection.grow(phase, dossiers[0], scale - done, done)
        done = scale
        selection.analyze()
        print(f"{scale} dossiers in the edition shown (seeded in {time.perf_counter() - start:.0f} s)")
        table[scale] = measure(client, pages, arguments.runs)
    floor = {scale: results[pages[0][0]][0] for scale, results in table.items()}
    print(f"\n{'page':<40} " + "  ".join(f"{f'{s} dossiers':>26}" for s in table) + "   large/small")
    for label, *_ in pages:
        cells = []
        for scale, results in table.items():
            median, queries = results[label]
            cells.append(f"{median:7.1f} ms {queries:3d} q ×{median / floor[scale]:5.1f}")
        ratio = table[arguments.large][label][0] / table[arguments.small][label][0]
        print(f"{label:<40} " + "  ".join(f"{cell:>26}" for cell in cells) + f"   {ratio:5.2f}")
    sys.exit(0)


if __name__ == "__main__":
    main()
