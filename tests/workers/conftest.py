"""A real Celery worker on the machine's Redis, against the test database (PostgreSQL), for the session.

The worker runs `celery -A ptce_ami worker` with tests/workers/worker_settings.py: same database as the
tests, e-mails written to a folder, files to a media folder the tests read. It listens to a queue of its
own, so that messages of other runs never reach it. Without PostgreSQL or Redis these tests skip locally
and fail in CI (PTCE_REQUIRE_SERVICES=1).
"""

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection
from kombu import pools as kombu_pools

from ptce_ami.celery import app as celery_app
from ptce_ami.core import queue
from tests.conftest import require_service

BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/14"
ROOT = Path(__file__).resolve().parents[2]


def redis_available():
    try:
        return bool(redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


class Worker:
    def __init__(self, process, name, queue, folder, log):
        self.process, self.name, self.queue, self.folder, self.log = process, name, queue, folder, log
        self.email_dir = folder / "emails"
        self.media_root = folder / "media"
        self.slow_flag = folder / "slow-pdf"

    def children(self):
        output = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in output.stdout.split()]

    def kill_child(self):
        """Kill the pool process running a task (SIGKILL): the task dies in the middle, as on a crash."""
        for pid in self.children():
            os.kill(pid, signal.SIGKILL)

    def sent_subjects(self):
        """Subjects of the messages the worker wrote (the file backend separates them by a line of dashes)."""
        subjects = []
        for path in sorted(self.email_dir.glob("*.log")):
            for raw in path.read_text().split("\n" + "-" * 79 + "\n"):
                if raw.strip():
                    message = email.message_from_string(raw.strip(), policy=email.policy.default)
                    subjects.append(str(message["Subject"]).strip())
        return subjects

    def log_text(self):
        return self.log.read_text() if self.log.exists() else ""


def wait_for(condition, timeout=60, interval=0.2, message="condition", worker=None):
    """Poll ``condition`` until true; on time-out, fail with the end of the worker's log (what it was doing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    log = "\n".join(worker.log_text().splitlines()[-40:]) if worker is not None else ""
    raise AssertionError(f"timed out waiting for {message}" + (f"\n--- worker log ---\n{log}" if log else ""))


def start_worker(folder, database_name, broker_url=BROKER_URL):
    queue = f"ptce-test-{uuid.uuid4().hex[:8]}"
    name = f"{queue}@localhost"
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("emails", "media"):
        (folder / sub).mkdir(exist_ok=True)
    settings_dict = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.workers.worker_settings",
        "DATABASE_URL": f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/"
        f"{database_name}",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PTCE_WORKER_EMAIL_DIR": str(folder / "emails"),
        "PTCE_WORKER_MEDIA_ROOT": str(folder / "media"),
        "PTCE_WORKER_SLOW_FLAG": str(folder / "slow-pdf"),
    }
    log = folder / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "ptce_ami", "worker", "--loglevel=INFO", "--concurrency=1",
        "--pool=prefork", "-Q", queue, "-n", name, "--without-gossip", "--without-mingle", "--without-heartbeat",
        f"--logfile={log}",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    worker = Worker(process, name, queue, folder, log)
    wait_for(lambda: "ready." in worker.log_text() or process.poll() is not None, message="the worker to start")
    assert process.poll() is None, worker.log_text()
    return worker


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    require_service(connection.vendor == "postgresql", "PostgreSQL (the worker shares the test database)")
    require_service(redis_available(), f"Redis at {BROKER_URL}")
    with django_db_blocker.unblock():
        database_name = connection.settings_dict["NAME"]
    worker = start_worker(tmp_path_factory.mktemp("worker"), database_name)
    yield worker
    stop_process(worker.process)


def stop_process(process, timeout=20):
    """Stop a process this session started (SIGTERM, then SIGKILL if it lingers)."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def reset_broker_connections():
    """Drop the connections Celery keeps, so that a new broker_url is used by the next task sent."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu_pools.reset()
    queue.forget_broker_failure()


@pytest.fixture
def through_worker(celery_worker, settings):
    """Send tasks to the session's worker instead of running them inline, for one test."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.task_default_queue)
    conf.task_always_eager, conf.broker_url, conf.task_default_queue = False, BROKER_URL, celery_worker.queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.MEDIA_ROOT = celery_worker.media_root
    reset_broker_connections()
    yield celery_worker
    conf.task_always_eager, conf.broker_url, conf.task_default_queue = saved
    reset_broker_connections()
