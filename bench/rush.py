"""The deadline rush (issue 15, part 3): 300 porteurs submit their prepared dossiers during the last 2 minutes
before a deadline, and some just after it, while 30 instructeurs browse; then the Celery workers drain.

One run, on 127.0.0.1 only, bounded in time (about 5 minutes after the seeding):
1. The database ``ptce_rush`` is a fresh copy of the template ``ptce_rush_seed``, seeded once (again only when its
   sizes change) by this script: the bench's national dataset (bench/seed.py, ``--background`` dossiers) plus an
   open phase of the 2027 edition holding ``--porteurs`` complete drafts (the tests' factories: sectors, territory,
   three members, the phase's required PDF attachments), one per porteur, and ``--staff`` instructeurs.
2. gunicorn (``--gunicorn-workers`` sync workers, DEBUG off, the bench's settings and environment: the second factor
   off, the session cookie over HTTP) and ``--celery-workers`` Celery workers (concurrency 1 each) on Redis db 12.
   With ``--two-instances``: two gunicorn instances on two ports behind nginx (a configuration written from
   deploy/nginx.conf's proxy settings), sharing the database (sessions) and MEDIA_ROOT; before the rush, a session
   opened on instance A is used on instance B, and a file uploaded through A is downloaded through B.
3. Every account logs in through the login form, before the window (PBKDF2 costs about 0.4 s of CPU each: porteurs
   who prepared their dossier are signed in); the phase's deadline is then set so that the run straddles it, and
   locust (bench/rush_locustfile.py) runs ``--connections`` porteur connections and the instructeurs: each porteur
   opens the summary and clicks "Déposer" at its planned moment: spread evenly over the ``--window`` seconds (or,
   ``--shape rising``, more and more often as the deadline nears), and ``--late`` of them in the ``--after`` seconds
   after it.
4. Afterwards: the time for the workers to drain every queued task, the database checked (each accepted dossier
   submitted before the deadline with its receipt PDF and its eligibility run; each refused one still a draft), and
   the summary printed and written to bench/results/rush.json (or rush-two-instances.json).

Exit status 0 only when every check passes: 0 errors, p95 ≤ 500 ms over the requests of the window (logins
reported apart), every submission before the deadline accepted and every one after refused with the message.

Usage (needs PostgreSQL and Redis on 127.0.0.1; `make rush`, `make rush PROXY=1`):
    .venv/bin/python bench/rush.py [--two-instances] [--background 20000]
    .venv/bin/python bench/rush.py --drop        # removes ptce_rush and its template
"""

import argparse
import datetime
import json
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ["BENCH_DATABASE"] = TEMPLATE = "ptce_rush_seed"
DATABASE = "ptce_rush"
sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: free ports, percentiles)
import seed  # noqa: E402  (bench/seed.py: the national dataset, the bench's environment)

ROOT = seed.ROOT
BIN = ROOT / ".venv" / "bin"
BROKER = "redis://127.0.0.1:6379/12"
# The processes' shared cache (both instances of PROXY=1 too), apart from make bench's (db 11).
CACHE = "redis://127.0.0.1:6379/9"
QUEUE = "ptce-rush"
MARK = "ptce-rush "
PORTEUR_EMAIL = "rush-porteur-{:03d}@bench.example.fr"
STAFF_EMAIL = "rush-instructeur-{:02d}@bench.example.fr"
SHARED_EMAIL = "rush-partage@bench.example.fr"  # the two-instance check's porteur, with its own draft
YEAR = 2027
P95_TARGET = 500.0


def porteur_emails(arguments):
    return [PORTEUR_EMAIL.format(number) for number in range(1, arguments.porteurs + 1)]


def staff_emails(arguments):
    return [STAFF_EMAIL.format(number) for number in range(1, arguments.staff + 1)]


def environment(folder, database=DATABASE):
    """The bench's environment (seed.environment) on the rush's database, with the workers on Redis db 12."""
    return {
        **seed.environment(folder),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "CACHE_URL": CACHE,
        "MEDIA_ROOT": str(Path(folder) / "media"),
        "STATIC_ROOT": str(ROOT / "var" / "bench" / "static"),
        "EMAIL_URL": f"filemail:///{Path(folder) / 'emails'}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRUSTED_PROXIES": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    }


def setup_django(folder, database, **overrides):
    sys.path.insert(0, str(ROOT))
    os.environ.update(environment(folder, database), **overrides)
    import django

    django.setup()


def sizes_mark(arguments):
    return f"{MARK}background={arguments.background} porteurs={arguments.porteurs} staff={arguments.staff}"


def template_mark():
    return seed.psql(f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{TEMPLATE}'")


# Seeding (in a child process: Django is set up on the template database there, on the run's database here).


def seed_template(arguments):
    """The template database: the national background, the open phase, its drafts and the accounts."""
    seed.create_database()
    setup_django(arguments.folder, TEMPLATE, CELERY_BROKER_URL="")  # nothing is queued while seeding
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_territories", verbosity=0)
    print(f"{TEMPLATE}: migrated, territories loaded; seeding {arguments.background} background dossiers…")
    if arguments.background:
        seed.seed(arguments.background, random.Random(15))
    drafts(arguments.porteurs, arguments.staff)
    seed.psql(f"COMMENT ON DATABASE {TEMPLATE} IS '{sizes_mark(arguments)}'")
    print(f"{TEMPLATE} seeded in {time.perf_counter() - started:.0f} s")


def drafts(porteurs, staff):
    """An open phase 1 of the 2027 edition, a complete draft for each porteur (and the shared one), instructeurs."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from applications.enums import AttachmentKind, DossierState
    from applications.services.completeness import missing_items
    from ptce_ami.accounts.enums import Role
    from ptce_ami.accounts.models import User
    from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory

    now = timezone.now()
    password = make_password(seed.PASSWORD)
    edition = EditionFactory(year=YEAR, name=f"AMI PTCE {YEAR}", envelope=5_000_000)
    phase = PhaseFactory(
        edition=edition,
        wave=1,
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now + datetime.timedelta(days=1),  # set again by each run, to straddle it
        required_attachment_kinds=[AttachmentKind.STATUTES.value, AttachmentKind.SWORN_STATEMENT.value],
    )

    def account(email, role):
        return User(email=email, role=role, password=password, email_confirmed_at=now, first_name="Rush")

    owners = User.objects.bulk_create(
        [account(PORTEUR_EMAIL.format(number), Role.PORTEUR) for number in range(1, porteurs + 1)]
        + [account(SHARED_EMAIL, Role.PORTEUR)]
    )
    User.objects.bulk_create([account(STAFF_EMAIL.format(number), Role.INSTRUCTEUR) for number in range(1, staff + 1)])
    for number, owner in enumerate(owners, start=1):
        dossier = DossierFactory(
            phase=phase, owner=owner, complete=True, reference=f"PTCE-{YEAR}-P1-{number:05d}", name=f"Pôle {number}"
        )
        members, attachments = dossier.loaded_parts()
        missing = missing_items(dossier, members, attachments)
        if missing or dossier.state != DossierState.DRAFT:
            raise SystemExit(f"{dossier.reference} is not a complete draft: {missing}")
        if number % 100 == 0:
            print(f"  {number} complete drafts", flush=True)
    print(f"  {porteurs} porteurs with a complete draft (+ 1 for the two-instance check), {staff} instructeurs")


def copy_database():
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DATABASE], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", TEMPLATE, DATABASE], check=True)


def drop_databases():
    for name in (DATABASE, TEMPLATE):
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name], check=True)
    print(f"{DATABASE} and {TEMPLATE} dropped")


# Processes: gunicorn, Celery, nginx, locust. Each is started in its own process group and ended by its id.


class Processes:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.started = []

    def start(self, name, command, environment, cwd=ROOT):
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command, cwd=cwd, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, process, log))
        return process

    def stop(self, name):
        for entry in [entry for entry in self.started if entry[0] == name]:
            self._end(*entry)
            self.started.remove(entry)

    def stop_all(self):
        for entry in reversed(self.started):
            self._end(*entry)
        self.started = []

    @staticmethod
    def _end(_name, process, log):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def wait_for(url, what, log):
    import httpx

    for _ in range(300):
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{what} did not answer on {url}: see {log}")


# The time each request took inside gunicorn (%(M)s, ms), to tell the time spent waiting for a worker from the rest.
ACCESS_FORMAT = '%(t)s "%(r)s" %(s)s %(M)s'


def served(path, start):
    """The milliseconds each request took inside the instance, for the requests received from ``start`` (epoch)."""
    times = []
    for line in open(path, encoding="utf-8"):
        moment, _, rest = line.partition("] ")
        when = datetime.datetime.strptime(moment.lstrip("["), "%d/%b/%Y:%H:%M:%S %z").timestamp()
        if when >= start:
            times.append(float(rest.rsplit(" ", 1)[1]))
    return times


def start_gunicorn(processes, name, port, workers, folder):
    command = [
        str(BIN / "gunicorn"),
        "--config",
        str(ROOT / "bench" / "gunicorn.conf.py"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        str(Path(folder) / f"{name}-access.log"),
        "--access-logformat",
        ACCESS_FORMAT,
        "ptce_ami.wsgi:application",
    ]
    processes.start(name, command, {**os.environ, **environment(folder)})
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/healthz", name, Path(folder) / f"{name}.log")
    return base


def start_workers(processes, count, nice, folder):
    for number in range(1, count + 1):
        command = [
            str(BIN / "celery"), "-A", "ptce_ami", "worker", "--loglevel=WARNING", "--concurrency=1",
            "-Q", QUEUE, "-n", f"rush{number}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        processes.start(f"celery-{number}", ["nice", "-n", str(nice), *command], {**os.environ, **environment(folder)})


NGINX = """# Written by bench/rush.py: two gunicorn instances behind nginx, on 127.0.0.1 only. The proxy settings are
# deploy/nginx.conf's (headers, buffering, body limits, timeouts); no TLS and no per-address limit_req zones: every
# client of the bench comes from 127.0.0.1, which the login zone (30 per minute) would refuse after 20 logins.
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/nginx-temp/body;
    proxy_temp_path {folder}/nginx-temp/proxy;
    fastcgi_temp_path {folder}/nginx-temp/fastcgi;
    uwsgi_temp_path {folder}/nginx-temp/uwsgi;
    scgi_temp_path {folder}/nginx-temp/scgi;
    upstream ptce_web {{
        server 127.0.0.1:{port_a};
        server 127.0.0.1:{port_b};
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 2m;
        client_body_buffer_size 128k;
        proxy_request_buffering on;
        client_header_timeout 20s;
        client_body_timeout 60s;
        send_timeout 60s;
        keepalive_timeout 30s;
        large_client_header_buffers 4 8k;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        # $http_host, not deploy's $host: the bench's port is part of the origin the CSRF check compares.
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 5s;
        proxy_send_timeout 65s;
        proxy_read_timeout 65s;
        location / {{ proxy_pass http://ptce_web; }}
        location ~ ^/dossiers/[^/]+/pieces/$ {{
            client_max_body_size 12m;
            proxy_pass http://ptce_web;
        }}
    }}
}}
"""


def start_nginx(processes, port_a, port_b, folder):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is not installed: apt-get install -y nginx-light (or nginx), see bench/README.md")
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (Path(folder) / "nginx-temp" / temp).mkdir(parents=True, exist_ok=True)
        os.chmod(Path(folder) / "nginx-temp" / temp, 0o777)  # its worker runs as nobody when started as root
    port = run.free_port()
    configuration = Path(folder) / "nginx.conf"
    configuration.write_text(NGINX.format(folder=folder, port=port, port_a=port_a, port_b=port_b))
    processes.start(
        "nginx", [nginx, "-c", str(configuration), "-e", str(Path(folder) / "nginx-error.log")], os.environ
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/healthz", "nginx", Path(folder) / "nginx-error.log")
    return base


# The two-instance checks: a session and a file shared by the instances.


def check_shared_state(base_a, base_b):
    """A session opened on A used on B; a file uploaded through A downloaded through B. Returns the lines to print."""
    import re

    import httpx

    from applications.models import Attachment, Dossier
    from ptce_ami.site.demo import tiny_pdf

    dossier = Dossier.objects.get(owner__email=SHARED_EMAIL)
    on_a = run.login(base_a, SHARED_EMAIL)  # the login form on A: its session row in the database
    session = on_a.cookies.get("sessionid")
    on_b = httpx.Client(base_url=base_b, timeout=60, cookies={"sessionid": session})
    home = on_b.get("/espace/")
    if home.status_code != 200 or SHARED_EMAIL not in home.text and dossier.name not in home.text:
        raise SystemExit(f"the session opened on A does not work on B: {home.status_code}")
    lines = [f"session opened on A ({base_a}) used on B ({base_b}): /espace/ 200, shows the porteur's dossier"]
    page = on_a.get(f"/dossiers/{dossier.reference}/pieces/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    content = tiny_pdf(f"Deux instances {time.time()}")
    upload = on_a.post(
        f"/dossiers/{dossier.reference}/pieces/",
        data={"csrfmiddlewaretoken": token, "kind": "autre"},
        files={"file": ("deux-instances.pdf", content, "application/pdf")},
        headers={"Referer": f"{base_a}/dossiers/{dossier.reference}/pieces/"},
    )
    attachment = Attachment.objects.filter(dossier=dossier, original_name="deux-instances.pdf").order_by("pk").last()
    if upload.status_code != 302 or attachment is None:
        raise SystemExit(f"the upload through A failed: {upload.status_code}")
    download = on_b.get(f"/dossiers/{dossier.reference}/pieces/{attachment.pk}/telecharger/")
    if download.status_code != 200 or download.content != content:
        raise SystemExit(f"the file uploaded through A does not download through B: {download.status_code}")
    lines.append(
        f"file uploaded through A ({len(content)} bytes, attachment {attachment.pk}) downloaded through B: 200, "
        "the same bytes"
    )
    on_a.close()
    on_b.close()
    return lines


# The plan, the run and its checks.


def log_in_everyone(base, emails, concurrency):
    """Every account logs in through the login form (GET for the CSRF token, POST of the password), ``concurrency``
    at a time; returns each one's cookies and the timed requests ([name, start, ms, ok], as locust records them)."""
    import re

    import httpx

    def log_in(email):
        kind = "instructeur" if email.startswith("rush-instructeur") else "porteur"
        with httpx.Client(base_url=base, timeout=120) as client:
            started = time.time()
            form = client.get("/compte/connexion/")
            timed = [
                [f"{kind}: login page (before)", started, (time.time() - started) * 1000, form.status_code == 200]
            ]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            started = time.time()
            response = client.post(
                "/compte/connexion/",
                data={"csrfmiddlewaretoken": token, "username": email, "password": seed.PASSWORD},
                headers={"Referer": f"{base}/compte/connexion/"},
            )
            ok = response.status_code == 302 and "connexion" not in response.headers.get("location", "")
            timed.append([f"{kind}: login, PBKDF2 (before)", started, (time.time() - started) * 1000, ok])
            return email, dict(client.cookies), timed

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(log_in, emails))
    return {email: cookies for email, cookies, _timed in results}, [t for *_rest, timed in results for t in timed]


def plan(arguments, phase, folder, cookies):
    """Every porteur's click and its cookies, the instructeurs' cookies, the deadline; epoch seconds."""
    from applications.enums import DossierState
    from applications.models import Dossier

    rng = random.Random(15)
    references = list(
        Dossier.objects.filter(phase=phase, owner__email__startswith="rush-porteur-")
        .order_by("owner__email")
        .values_list("reference", "owner__email")
    )
    start = math.ceil(time.time()) + 10  # locust's start-up
    deadline = start + arguments.window
    on_time = arguments.porteurs - arguments.late
    # Uniform over the window, or (--shape rising) a density growing linearly up to the deadline: twice the uniform
    # rate in the last seconds.
    if arguments.shape == "rising":
        clicks = [deadline - arguments.window * (1 - math.sqrt((n + 0.5) / on_time)) for n in range(on_time)]
    else:
        clicks = [deadline - arguments.window * (1 - (n + 0.5) / on_time) for n in range(on_time)]
    clicks += [deadline + 1 + (arguments.after - 1) * (n + 0.5) / arguments.late for n in range(arguments.late)]
    rng.shuffle(references)
    porteurs = []
    for (reference, email), click in zip(references, sorted(clicks), strict=True):
        porteurs.append(
            {
                "email": email,
                "reference": reference,
                "cookies": cookies[email],
                "submit_at": round(click, 3),
                "reading": round(rng.uniform(3, 8), 2),  # the summary opened a few seconds before the click
            }
        )
    staff = [{"email": email, "cookies": cookies[email]} for email in staff_emails(arguments)]
    background = list(
        Dossier.objects.filter(submitted_at__isnull=False, region_id=seed.PARTNER_REGION)
        .exclude(state=DossierState.DRAFT)
        .order_by("?")
        .values_list("reference", flat=True)[:200]
    )
    return {
        "connections": arguments.connections,
        "staff_count": arguments.staff,
        "staff_think": arguments.think,
        "start": start,
        "window_start": deadline - arguments.window,
        "deadline": deadline,
        "end": deadline + arguments.after + 5,
        "porteurs": porteurs,
        "staff": staff,
        "staff_lists": [
            "/instruction/",
            "/instruction/?o=-score",
            f"/instruction/?region={seed.PARTNER_REGION}&state=submitted",
            "/instruction/?state=submitted",
            "/instruction/?page=2",
            "/instruction/?page=20",
        ],
        "staff_dossiers": background,
        "records": str(Path(folder) / "locust-records.json"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--porteurs", type=int, default=300)
    parser.add_argument("--late", type=int, default=30, help="porteurs who click after the deadline")
    parser.add_argument("--staff", type=int, default=30)
    parser.add_argument("--connections", type=int, default=50, help="concurrent porteur connections")
    parser.add_argument("--background", type=int, default=20_000, help="submitted dossiers of the national dataset")
    parser.add_argument("--window", type=int, default=120, help="seconds of the rush before the deadline")
    parser.add_argument("--shape", choices=["uniform", "rising"], default="uniform", help="the clicks over the window")
    parser.add_argument("--after", type=int, default=15, help="seconds of clicks after the deadline")
    parser.add_argument("--login-concurrency", type=int, default=3, help="logins at a time, before the rush")
    parser.add_argument("--think", type=float, nargs=2, default=[8, 20], help="instructeurs' think time (s)")
    parser.add_argument("--gunicorn-workers", type=int, default=3, help="sync workers per gunicorn instance")
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="the Celery workers' nice value: here they stand for workers on machines of their own and take the CPU "
        "the web leaves; 0 to let them compete with it",
    )
    parser.add_argument("--two-instances", action="store_true", help="two gunicorn instances behind nginx")
    parser.add_argument("--drain-timeout", type=int, default=900)
    parser.add_argument("--folder", default=str(ROOT / "var" / "rush"))
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)  # the child process that seeds
    parser.add_argument("--keep", action="store_true", help="keep ptce_rush after the run (to look at it)")
    parser.add_argument("--drop", action="store_true", help="drop ptce_rush and its template, then stop")
    arguments = parser.parse_args()
    arguments.folder = str(Path(arguments.folder).resolve())
    if arguments.drop:
        drop_databases()
        return
    if arguments.seed:
        seed_template(arguments)
        return
    if template_mark() != sizes_mark(arguments):
        # The seeding's MEDIA_ROOT holds the drafts' attachments: a new template gets a new folder.
        shutil.rmtree(arguments.folder, ignore_errors=True)
        Path(arguments.folder).mkdir(parents=True)
        subprocess.run([sys.executable, __file__, "--seed", *sys.argv[1:]], check=True)
    else:
        print(f"{TEMPLATE} already seeded ({sizes_mark(arguments)[len(MARK) :]}): not seeded again")
    folder = Path(arguments.folder)
    for stale in [*folder.glob("*.log"), folder / "emails", folder / "locust-records.json"]:
        shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
    copy_database()
    sys.exit(rush(arguments, folder))


def rush(arguments, folder):
    setup_django(folder, DATABASE)
    from django.core.management import call_command

    from applications.models import Phase

    if not (Path(environment(folder)["STATIC_ROOT"]) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    for database in ("12", "9"):  # the broker's queue and the cache: nothing from another run
        subprocess.run(["redis-cli", "-n", database, "FLUSHDB"], check=True, capture_output=True)
    phase = Phase.objects.get(edition__year=YEAR)
    processes = Processes(folder)
    try:
        start_workers(processes, arguments.celery_workers, arguments.worker_nice, folder)
        shared = []
        if arguments.two_instances:
            base_a = start_gunicorn(processes, "gunicorn-a", run.free_port(), arguments.gunicorn_workers, folder)
            base_b = start_gunicorn(processes, "gunicorn-b", run.free_port(), arguments.gunicorn_workers, folder)
            base = start_nginx(processes, base_a.rsplit(":", 1)[1], base_b.rsplit(":", 1)[1], folder)
            shared = check_shared_state(base_a, base_b)
            for line in shared:
                print(line)
        else:
            base = start_gunicorn(processes, "gunicorn", run.free_port(), arguments.gunicorn_workers, folder)
        started = time.time()
        print(
            f"{arguments.porteurs + arguments.staff} logins through the form, {arguments.login_concurrency} at a time…"
        )
        cookies, logins = log_in_everyone(
            base, porteur_emails(arguments) + staff_emails(arguments), arguments.login_concurrency
        )
        print(f"logged in in {time.time() - started:.0f} s", flush=True)
        schedule = plan(arguments, phase, folder, cookies)
        deadline = datetime.datetime.fromtimestamp(schedule["deadline"], tz=datetime.UTC)
        Phase.objects.filter(pk=phase.pk).update(closes_at=deadline)
        path = folder / "rush-plan.json"
        path.write_text(json.dumps(schedule))
        users = arguments.connections + arguments.staff
        duration = math.ceil(schedule["end"] - time.time()) + 120  # a bound: locust stops once every porteur is done
        print(
            f"rush on {base}: {arguments.porteurs} porteurs through {arguments.connections} connections and "
            f"{arguments.staff} instructeurs; the window of {arguments.window} s up to the deadline "
            f"{deadline.astimezone().strftime('%H:%M:%S')}, {arguments.late} clicks in the {arguments.after} s "
            "after it",
            flush=True,
        )
        locust = [
            str(BIN / "locust"), "-f", str(ROOT / "bench" / "rush_locustfile.py"), "--headless", "--host", base,
            "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{duration}s", "--stop-timeout", "10",
            "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
        ]  # fmt: skip
        started = time.time()
        result = subprocess.run(locust, cwd=ROOT, env={**os.environ, "RUSH_PLAN": str(path)}, capture_output=True)
        (folder / "locust.log").write_bytes(result.stdout + result.stderr)
        if not Path(schedule["records"]).exists():
            raise SystemExit(f"locust did not write its records: see {folder / 'locust.log'}")
        locust_wall = time.time() - started
        drained_at = wait_drained(arguments.drain_timeout)
        return report(arguments, schedule, logins, phase, drained_at, locust_wall, shared, folder)
    finally:
        processes.stop_all()
        subprocess.run(["redis-cli", "-n", "12", "FLUSHDB"], capture_output=True)
        if not arguments.keep:
            from django.db import connection

            connection.close()
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DATABASE])


def wait_drained(timeout):
    """Polls until every queued task is done (or failed); returns the time it happened (epoch) or None."""
    from ptce_ami.core.models import QueuedTask, TaskStatus

    limit = time.time() + timeout
    while time.time() < limit:
        if not QueuedTask.objects.filter(status__in=[TaskStatus.QUEUED, TaskStatus.RUNNING]).exists():
            return time.time()
        time.sleep(0.5)
    return None


def report(arguments, schedule, logins, phase, drained_at, locust_wall, shared, folder):
    from django.db.models import Count

    from applications.enums import DossierState, NoticeKind, NoticeStatus
    from applications.models import Dossier, DossierVersion, EligibilityRun, Notice
    from ptce_ami.core.models import QueuedTask

    records = json.loads(Path(schedule["records"]).read_text())
    requests, outcomes = logins + records["requests"], records["outcomes"]
    deadline = schedule["deadline"]
    failures = []

    # Requests, per kind: the logins (before the window) apart from the rest.
    kinds = {}
    for name, _start, elapsed, ok in requests:
        kinds.setdefault(name, []).append((elapsed, ok))
    window = [elapsed for name, _s, elapsed, _ok in records["requests"]]
    errors = sum(1 for *_rest, ok in requests if not ok)
    p95_window = run.percentile(window, 0.95) if window else 0.0

    # Outcomes, checked against the deadline and the database.
    accepted = [o for o in outcomes if o["outcome"] == "accepted"]
    refused = [o for o in outcomes if o["outcome"] == "refused"]
    other = [o for o in outcomes if o["outcome"] not in ("accepted", "refused")]
    wrongly_refused = [o for o in refused if o["ended"] <= deadline]  # answered before the deadline, yet refused
    wrongly_accepted = [o for o in accepted if o["started"] > deadline + 1]  # sent after it (second), yet accepted
    silent = [o for o in refused + accepted if not o.get("message_shown")]
    rush_dossiers = Dossier.objects.filter(phase=phase, owner__email__startswith="rush-porteur-")
    submitted = set(rush_dossiers.filter(submitted_at__isnull=False).values_list("reference", flat=True))
    drafts_left = set(rush_dossiers.filter(state=DossierState.DRAFT).values_list("reference", flat=True))
    phase.refresh_from_db()
    closes_at = phase.closes_at
    late_versions = DossierVersion.objects.filter(dossier__phase=phase, submitted_at__gt=closes_at).count()
    versions = list(DossierVersion.objects.filter(dossier__phase=phase, dossier__reference__in=submitted))
    receipts = Notice.objects.filter(version__in=versions, kind=NoticeKind.RECEIPT)
    ready = [n for n in receipts if n.status == NoticeStatus.READY and n.file and Path(n.file.path).exists()]
    runs = EligibilityRun.objects.filter(key__in=[f"submission:{v.pk}" for v in versions]).count()
    tasks = dict(QueuedTask.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    last_click = max((o["ended"] for o in accepted), default=deadline)

    if errors:
        failures.append(f"{errors} request errors")
    if p95_window > P95_TARGET:
        failures.append(f"p95 {p95_window:.0f} ms > {P95_TARGET:.0f} ms")
    if other:
        failures.append(f"{len(other)} porteurs neither accepted nor refused")
    if wrongly_refused or wrongly_accepted:
        failures.append(f"{len(wrongly_refused)} refused before the deadline, {len(wrongly_accepted)} accepted after")
    if silent:
        failures.append(f"{len(silent)} outcomes without their message")
    if {o["reference"] for o in accepted} != submitted or {o["reference"] for o in refused} != drafts_left:
        failures.append("the outcomes seen by the browsers differ from the database")
    if late_versions:
        failures.append(f"{late_versions} versions submitted after the deadline")
    if len(ready) != len(versions) or runs != len(versions):
        failures.append(f"{len(ready)} receipts and {runs} eligibility runs for {len(versions)} submissions")
    if drained_at is None:
        failures.append("the workers did not drain in time")
    if len(accepted) + len(refused) != arguments.porteurs:
        failures.append(f"{len(accepted) + len(refused)} outcomes for {arguments.porteurs} porteurs")

    load = os.getloadavg()
    mode = "two gunicorn instances behind nginx" if arguments.two_instances else "one gunicorn instance"
    lines = [
        "",
        f"Deadline rush — {mode} ({arguments.gunicorn_workers} sync workers each, DEBUG off), PostgreSQL, "
        f"{arguments.celery_workers} Celery workers on Redis db 12; {arguments.background} background dossiers",
        f"{arguments.porteurs} porteurs through {arguments.connections} connections ({arguments.shape} clicks), "
        f"{arguments.staff} instructeurs; "
        f"locust ran {locust_wall:.0f} s; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on "
        f"{os.cpu_count()} CPUs (a shared machine)",
    ]
    lines += [f"  {line}" for line in shared]
    instances = ("gunicorn-a", "gunicorn-b") if arguments.two_instances else ("gunicorn",)
    for name in instances:
        times = served(folder / f"{name}-access.log", schedule["start"])
        lines.append(
            f"  {name}: {len(times)} requests during the rush, time inside gunicorn (no queueing) median "
            f"{statistics.median(times):.0f} ms, p95 {run.percentile(times, 0.95):.0f} ms"
        )
    header = f"{'requests':<46} {'count':>6} {'errors':>6} {'median':>9} {'p95':>9} {'max':>9}"
    lines += ["", header, "-" * len(header)]
    for name in sorted(kinds, key=lambda n: (n.split(":")[0], "login" not in n, n)):
        values = [e for e, _ok in kinds[name]]
        lines.append(
            f"{name:<46} {len(values):>6} {sum(1 for _e, ok in kinds[name] if not ok):>6} "
            f"{statistics.median(values):6.0f} ms {run.percentile(values, 0.95):6.0f} ms {max(values):6.0f} ms"
        )
    everything = [e for _n, _s, e, _ok in requests]
    lines += [
        "-" * len(header),
        f"{'all but the logins (the window)':<46} {len(window):>6} {'':>6} {statistics.median(window):6.0f} ms "
        f"{p95_window:6.0f} ms {max(window):6.0f} ms",
        f"{'all':<46} {len(everything):>6} {errors:>6} {statistics.median(everything):6.0f} ms "
        f"{run.percentile(everything, 0.95):6.0f} ms {max(everything):6.0f} ms",
        "",
        f"submissions: {len(accepted)} accepted (the last answered at deadline {last_click - deadline:+.1f} s), "
        f"{len(refused)} refused after it, {len(other)} other; in the database {len(submitted)} submitted, "
        f"{len(drafts_left)} drafts left, {late_versions} versions after the deadline",
        f"refusal message shown ({sum(1 for o in refused if o.get('message_shown'))}/{len(refused)}): "
        f"« {refused[0]['message'] if refused else ''} »",
        f"workers: {len(ready)} receipts (PDF on disk) and {runs} eligibility runs for {len(versions)} submissions; "
        + (
            f"drained {drained_at - last_click:.0f} s after the last accepted submission "
            f"({drained_at - deadline:.0f} s after the deadline)"
            if drained_at
            else "NOT drained"
        )
        + f"; queued tasks by status: {tasks}",
        "",
        "PASS" if not failures else "FAIL: " + "; ".join(failures),
    ]
    print("\n".join(lines))
    name = "rush-two-instances.json" if arguments.two_instances else "rush.json"
    results = ROOT / "bench" / "results" / name
    results.parent.mkdir(exist_ok=True)
    results.write_text(json.dumps({"summary": lines, "failures": failures, "outcomes": outcomes}, indent=1))
    return 0 if not failures else 1


if __name__ == "__main__":
    main()
