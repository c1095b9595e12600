"""Benchmark of the territories referential: load times, then autocomplete latency through Django's test Client.

Load: a first run on empty tables and a second run on loaded tables (nothing to write). When the referential
is already loaded, the first run is measured inside a transaction that empties the tables and is rolled back,
so the database is left as it was. Autocomplete: ~50 different 3-letter queries (prefixes of real names),
each through the full request cycle (middleware, view, JSON), reporting median, p95 and query counts.

Usage: DATABASE_URL=postgres://… .venv/bin/python bench/territories.py [--queries 50]
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_QUERIES = ["69", "690", "69001", "2A0", "75015", "200046977"]


def setup_django():
    sys.path[0] = str(ROOT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ptce_ami.settings"
    os.environ["DEBUG"] = "1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def empty_referential():
    """Delete every referential row (foreign keys are deferred: the caller rolls back before commit)."""
    from django.db import connection

    from territories.models import EPCI, Commune, Departement, ReferentialVersion, Region

    with connection.cursor() as cursor:
        for model in (ReferentialVersion, Commune, EPCI, Departement, Region):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


class Rollback(Exception):
    pass


def measure_loads(path):
    """(first run seconds, second run seconds, whether the database was left loaded by this script)."""
    from django.db import transaction

    from territories.loader import load_referential
    from territories.models import Commune

    if not Commune.objects.exists():
        _, first = timed(load_referential, path)
        _, second = timed(load_referential, path)
        return first, second, True
    try:
        with transaction.atomic():
            empty_referential()
            _, first = timed(load_referential, path)
            _, second = timed(load_referential, path)
            raise Rollback
    except Rollback:
        return first, second, False


def three_letter_queries(count):
    """count different 3-letter prefixes of commune names, spread over the alphabet (deterministic)."""
    from territories.models import Commune

    names = Commune.objects.filter(kind="commune-actuelle").values_list("search_name", flat=True)
    prefixes = sorted({name[:3] for name in names if len(name) >= 3 and " " not in name[:3]})
    step = max(len(prefixes) // count, 1)
    return prefixes[::step][:count]


def run_queries(client, queries):
    """[(query, milliseconds, number of SQL queries, number of results)] for each query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = []
    for query in queries:
        with CaptureQueriesContext(connection) as captured:
            response, seconds = timed(client.get, "/territoires/autocomplete/", {"q": query})
        assert response.status_code == 200, response.status_code
        rows.append((query, seconds * 1000, len(captured), len(response.json()["results"])))
    return rows


def report(label, rows):
    times = [row[1] for row in rows]
    queries = {row[2] for row in rows}
    print(
        f"{label:<28} median {statistics.median(times):6.1f} ms   p95 {percentile(times, 0.95):6.1f} ms   "
        f"max {max(times):6.1f} ms   SQL queries per request {min(queries)}–{max(queries)}   n={len(rows)}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--file", help="referential file (default: the most recent shipped)")
    arguments = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    from territories.loader import default_file
    from territories.models import Commune

    path = Path(arguments.file) if arguments.file else default_file()
    print(
        f"Database: {connection.vendor} ({connection.settings_dict['NAME']}); file {path.name}, "
        f"{path.stat().st_size / 1024:.0f} KiB"
    )
    first, second, kept = measure_loads(path)
    note = "" if kept else " (first run on emptied tables, rolled back)"
    print(f"load_territories              first run {first:5.1f} s   second run {second:5.1f} s{note}")
    print(f"Communes in the database: {Commune.objects.count()}")

    client = Client(HTTP_HOST="localhost")
    client.get("/territoires/autocomplete/", {"q": "par"})  # warm-up: URL resolver, imports, connection
    report("autocomplete, 3 letters", run_queries(client, three_letter_queries(arguments.queries)))
    report("autocomplete, codes", run_queries(client, CODE_QUERIES))


if __name__ == "__main__":
    main()
