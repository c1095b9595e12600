"""Brokers that do not work, and the platform's Celery settings pointed at one, for the broker-down tests.

- ``refused``: a port where nothing listens (each connection is refused at once);
- ``silent``: a server that accepts connections and never answers (a Redis that hangs);
- ``unreachable``: a server whose backlog is full, so that connecting never completes (a dropped route).

``platform_celery(monkeypatch, url)`` applies to the Celery app the settings that ``ptce_ami/settings.py`` computes
for ``CELERY_BROKER_URL=url`` (the file read again with that environment, which Celery reads too), as a deployment
would get them, and restores the app's configuration afterwards.
"""

import contextlib
import runpy
import socket
import threading
from pathlib import Path

from ptce_ami.celery import app as celery_app
from tests.workers.conftest import reset_broker_connections

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "ptce_ami" / "settings.py"
KINDS = ["refused", "silent", "unreachable"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def dead_broker(kind):
    """A ``redis://`` URL of a broker of ``kind`` (see the module's docstring), for the duration of the block."""
    port = free_port()
    sockets = []
    if kind != "refused":
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        sockets.append(server)
        if kind == "silent":
            server.listen(16)
            threading.Thread(target=accept_forever, args=(server, sockets), daemon=True).start()
        else:
            server.listen(0)
            for _ in range(3):  # fill the backlog: the next connection attempts get no answer
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
                sockets.append(filler)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        for sock in sockets:
            sock.close()


def accept_forever(server, sockets):
    with contextlib.suppress(OSError):  # the server socket closed at the end of the test
        while True:
            connection, _address = server.accept()
            sockets.append(connection)


@contextlib.contextmanager
def platform_celery(monkeypatch, broker_url, **overrides):
    """The app configured as the platform would be for ``broker_url``; its configuration restored afterwards."""
    conf = celery_app.conf
    with monkeypatch.context() as patch:
        # Celery takes CELERY_BROKER_URL and CELERY_RESULT_BACKEND from the environment before its configuration.
        patch.setenv("CELERY_BROKER_URL", broker_url)
        patch.delenv("CELERY_RESULT_BACKEND", raising=False)
        settings = runpy.run_path(str(SETTINGS_FILE))
        wanted = {
            name.removeprefix("CELERY_").lower(): value
            for name, value in settings.items()
            if name.startswith("CELERY_")
        }
        wanted.update(overrides)
        # Celery reads through to the Django settings unless a value was changed on the app: restore exactly that.
        saved = {name: conf.changes[name] for name in wanted if name in conf.changes}
        conf.update(wanted)
        forget_backend()
        reset_broker_connections()
        try:
            yield conf
        finally:
            for name in wanted:
                conf.changes.pop(name, None)
            conf.changes.update(saved)
    forget_backend()
    reset_broker_connections()


def forget_backend():
    """The app keeps its result backend once built: build it again from the configuration."""
    celery_app._backend_cache = None
    with contextlib.suppress(AttributeError):
        del celery_app._local.backend
