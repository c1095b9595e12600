"""The pages at national scale (issue 15), over HTTP, against the floor measured in the same run.

Starts gunicorn (2 sync workers, DEBUG off, the bench's settings: the product's plus the floor's URLconf and a header
counting each response's SQL queries) on a free port of 127.0.0.1, on the bench database seeded by bench/seed.py.
Logs in through the login form as each role (instructeur, reviewer, regional partner, porteur; the second factor is
off through TWO_FACTOR_REQUIRED_ROLES, the bench's environment), makes two warm-up requests per page, then ``--runs``
rounds, each requesting every page once in a shuffled order (interleaved: a slow moment of the machine falls on every
page alike). Prints, for each page, the median and the 95th percentile, its ratio to the floor, its SQL queries (the
usual count, and the largest in brackets when some requests made more) and its size; writes the same as JSON to
bench/results/results-<N>.json.

The floor (/bench/floor/, bench/urls.py) is a bare view of the bench's own URLconf: one indexed query (a dossier by
its unique reference) and a small template, through the same middleware and the same staff session as the pages.

Usage (after bench/seed.py; `make bench` does both):
    .venv/bin/python bench/run.py [--dossiers 20000] [--runs 30]
"""

import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed  # noqa: E402  (bench/seed.py: the database, its accounts, the environment)

ROOT = seed.ROOT
TARGETS = {"ratio": 3.0, "median": 40.0, "p95": 100.0, "dossier page": 30.0}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(folder):
    """Django in this process: static files collected once (DEBUG off needs the manifest), the ids the pages need,
    and an API token for the instructeur."""
    seed.setup_django(folder)
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command

    from applications.enums import DossierState, PhaseKind
    from applications.models import Dossier, Phase
    from ptce_ami.accounts.models import User
    from ptce_ami.accounts.services import create_api_token
    from reviews.models import Assignment

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()  # the bench's own Redis database: nothing cached by a run on another seeding
    accounts = {role: User.objects.get(email=email) for role, email in seed.ACCOUNTS.items()}
    current = Phase.objects.filter(kind=PhaseKind.PHASE2).order_by("-edition__year").first()
    staff_dossier = (
        Dossier.objects.filter(state=DossierState.IN_REVIEW, region_id=seed.PARTNER_REGION).order_by("pk").first()
    )
    assignment = (
        Assignment.objects.filter(reviewer=accounts["evaluateur"], status="in_progress").order_by("pk").first()
    )
    owned = list(Dossier.objects.filter(owner=accounts["porteur"]).order_by("pk").values_list("reference", flat=True))
    _token, secret = create_api_token(accounts["instructeur"], name="banc d'essai", days=30)
    return {
        "staff_reference": staff_dossier.reference,
        "committee_phase": current.pk,
        "assignment": assignment.pk,
        "porteur_reference": owned[0],
        "porteur_dossiers": len(owned),
        "reviewer_assignments": Assignment.objects.filter(reviewer=accounts["evaluateur"]).count(),
        "api_secret": secret,
    }


def pages(ids):
    """(label, role, url): the floor first, then the issue's list."""
    region = seed.PARTNER_REGION
    return [
        ("floor (bench view, 1 indexed query)", "instructeur", f"/bench/floor/?reference={ids['staff_reference']}"),
        ("staff list", "instructeur", "/instruction/"),
        ("staff list, region and state", "instructeur", f"/instruction/?region={region}&state=in_review"),
        ("staff list, sorted by score", "instructeur", "/instruction/?o=-score"),
        ("staff list, page 200", "instructeur", "/instruction/?page=200"),
        ("staff dossier page", "instructeur", f"/instruction/dossiers/{ids['staff_reference']}/"),
        ("reviewer queue", "evaluateur", "/instruction/evaluations/"),
        ("scoring page", "evaluateur", f"/instruction/evaluations/{ids['assignment']}/"),
        ("committee view", "instructeur", f"/instruction/comite/phases/{ids['committee_phase']}/"),
        ("regional dashboard", "instructeur", f"/tableau-de-bord/regions/{region}/"),
        ("national dashboard", "instructeur", "/tableau-de-bord/national/"),
        ("partner's list", "partenaire", "/instruction/"),
        ("partner's regional opinions", "partenaire", "/instruction/evaluations/avis-regionaux/"),
        ("porteur home", "porteur", "/espace/"),
        ("porteur's list", "porteur", "/dossiers/"),
        ("porteur dossier page", "porteur", f"/dossiers/{ids['porteur_reference']}/"),
        ("autocomplete", "instructeur", "/territoires/autocomplete/?q=villeurb"),
        ("API: dossiers, first page", "api", "/api/v1/dossiers"),
    ]


# The web processes queue their background work (the dashboards' refresh) on this Redis database, for one worker.
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10")


def served_environment(folder):
    """The environment of gunicorn and of the worker: the bench's, with a broker, as a deployment runs."""
    return {
        **os.environ,
        **seed.environment(folder),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_DEFAULT_QUEUE": "bench",
    }


def start_worker(folder):
    """One Celery worker (solo pool) beside gunicorn: what refreshes the dashboards' figures in the background."""
    command = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "ptce_ami", "worker", "--pool", "solo", "-Q", "bench"]
    log = open(Path(folder) / "worker.log", "w")  # noqa: SIM115 (closed with the process)
    command += ["--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, env=served_environment(folder), stdout=log, stderr=subprocess.STDOUT)


def start_gunicorn(port, folder):
    environment = served_environment(folder)
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--config",
        str(ROOT / "bench" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "ptce_ami.wsgi:application",
    ]
    log = open(Path(folder) / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn did not answer on {base}: see {log.name}")


def login(base, email):
    """A client logged in through the login form: its CSRF token read from the page, the password posted."""
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/compte/connexion/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = client.post(
        "/compte/connexion/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": seed.PASSWORD},
        headers={"Referer": f"{base}/compte/connexion/"},
    )
    if response.status_code != 302 or "connexion" in response.headers.get("location", ""):
        raise SystemExit(f"login as {email} failed: {response.status_code} {response.headers.get('location')}")
    return client


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def measure(clients, listed, runs):
    def fetch(role, url):
        start = time.perf_counter()
        response = clients[role].get(url)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} as {role}: {response.status_code} {response.headers.get('location', '')}")
        return elapsed, int(response.headers.get("X-Bench-Queries", -1)), len(response.content)

    timings = {label: [] for label, *_ in listed}
    queries = {label: [] for label, *_ in listed}
    sizes = {}
    print(f"warming up {len(listed)} pages…", flush=True)
    for label, role, url in listed:  # warm-up: each worker's first request, the caches the pages fill
        for _ in range(2):
            _elapsed, _queries, sizes[label] = fetch(role, url)
    order = list(listed)
    rng = random.Random(15)
    for number in range(1, runs + 1):
        if number % 5 == 1:
            print(f"round {number}/{runs}…", flush=True)
        rng.shuffle(order)
        for label, role, url in order:
            elapsed, count, _size = fetch(role, url)
            timings[label].append(elapsed)
            queries[label].append(count)
    return timings, queries, sizes


def verdict(label, median, p95, ratio):
    misses = []
    if ratio > TARGETS["ratio"]:
        misses.append(f"> {TARGETS['ratio']:.0f}× floor")
    limit = TARGETS["dossier page"] if "dossier page" in label else TARGETS["median"]
    if median > limit:
        misses.append(f"median > {limit:.0f} ms")
    if p95 > TARGETS["p95"]:
        misses.append(f"p95 > {TARGETS['p95']:.0f} ms")
    return "ok" if not misses else ", ".join(misses)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--folder", default=str(ROOT / "var" / "bench"))
    arguments = parser.parse_args()
    Path(arguments.folder).mkdir(parents=True, exist_ok=True)
    seeded = seed.seeded_size()
    if seeded != arguments.dossiers:
        raise SystemExit(f"{seed.DATABASE} holds {seeded} dossiers, not {arguments.dossiers}: run bench/seed.py first")
    ids = prepare(arguments.folder)
    listed = pages(ids)
    port = free_port()
    worker = start_worker(arguments.folder)
    process, base = start_gunicorn(port, arguments.folder)
    try:
        clients = {role: login(base, email) for role, email in seed.ACCOUNTS.items()}
        clients["api"] = httpx.Client(
            base_url=base, timeout=60, headers={"Authorization": f"Bearer {ids['api_secret']}"}
        )
        started = time.perf_counter()
        timings, queries, sizes = measure(clients, listed, arguments.runs)
        wall = time.perf_counter() - started
    finally:
        for running in (process, worker):
            running.terminate()
            running.wait(timeout=30)
    floor = statistics.median(timings[listed[0][0]])
    load = os.getloadavg()
    print(
        f"\n{arguments.dossiers} dossiers; gunicorn 2 sync workers and 1 Celery worker, DEBUG off, PostgreSQL and "
        f"Redis on 127.0.0.1; "
        f"{arguments.runs} interleaved rounds in {wall:.0f} s; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} "
        f"on {os.cpu_count()} CPUs (a shared machine)"
    )
    print(f"bench reviewer: {ids['reviewer_assignments']} assignments; porteur: {ids['porteur_dossiers']} dossiers\n")
    header = f"{'page':<38} {'median':>9} {'p95':>9} {'× floor':>8} {'queries':>9} {'kB':>7}  targets"
    print(header)
    print("-" * len(header))
    rows = []
    for label, role, url in listed:
        values = timings[label]
        median, p95 = statistics.median(values), percentile(values, 0.95)
        ratio = median / floor
        # The usual count, and the largest when some requests made more (a cache refilled, a session refreshed).
        usual, most = statistics.mode(queries[label]), max(queries[label])
        count = f"{usual}" if most == usual else f"{usual} ({most})"
        size = sizes[label]
        note = "the floor" if label == listed[0][0] else verdict(label, median, p95, ratio)
        print(f"{label:<38} {median:6.1f} ms {p95:6.1f} ms {ratio:7.1f}× {count:>9} {size / 1000:7.0f}  {note}")
        rows.append(
            {
                "page": label, "role": role, "url": url, "median_ms": round(median, 2), "p95_ms": round(p95, 2),
                "ratio_to_floor": round(ratio, 2), "queries": usual, "queries_max": most, "bytes": size,
                "targets": note,
                "timings_ms": [round(v, 2) for v in values],
            }
        )  # fmt: skip
    results = ROOT / "bench" / "results" / f"results-{arguments.dossiers}.json"
    results.parent.mkdir(exist_ok=True)
    results.write_text(
        json.dumps(
            {
                "dossiers": arguments.dossiers,
                "runs": arguments.runs,
                "floor_ms": round(floor, 2),
                "load_average": load,
                "cpus": os.cpu_count(),
                "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "pages": rows,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nwritten to {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
