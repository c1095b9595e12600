"""The tamper-evident audit log: sensitive actions appended to a SHA-256 chain (DESIGN §10, issue 13 part 6).

``record(action, …)`` is the only writer. Each row's ``hash`` is the SHA-256 of the canonical JSON of its content
together with the previous row's hash, so changing, inserting or deleting a row breaks every later link;
``manage.py verify_audit_log`` walks the chain and names the first broken row. The previous row is read under a
table lock (PostgreSQL) or the write lock (SQLite), so that the chain stays linear. Rows are never changed nor
deleted: the model refuses it, and on PostgreSQL a trigger does too (migration core/0005).

Retention (``AUDIT_RETENTION_DAYS``, default 0): rows are kept forever, the choice made here. Deleting old rows
would break the chain; pruning, if a period is ever set, is done by an operator who archives the oldest rows (a
dump of the prefix) and sets ``AUDIT_GENESIS_HASH`` to the hash of the last archived row, from which the
verification then starts. Nothing in the application deletes rows.

This floor imports nothing of ours: higher floors call ``record`` from the services that own the action, and the
login signals and role changes are received here (``connect_receivers``, from CoreConfig.ready).

The services get no request: ``record`` takes the IP from the request being served (``origin``, set for each request
by core.middleware.RequestContextMiddleware and for each Celery task by ``connect_receivers``). A row written by a task
has no IP and says ``"source": "task"`` in its details; one written outside both (a management command, the shell) has
no IP either.
"""

import contextlib
import contextvars
import dataclasses
import datetime
import hashlib
import ipaddress
import json
from collections.abc import Callable

from axes.signals import user_locked_out
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save

from ptce_ami.core.models import AuditAction, AuditEntry, AuditOutcome

GENESIS_HASH = "0" * 64


def genesis_hash():
    return getattr(settings, "AUDIT_GENESIS_HASH", "") or GENESIS_HASH


def _jsonable(details):
    """``details`` as it reads back from a JSON column (dates and decimals as strings)."""
    return json.loads(json.dumps(details or {}, default=str))


def _utc(moment):
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def compute_hash(entry):
    """The SHA-256 of ``entry``'s content and of the previous row's hash (hex)."""
    content = {
        "at": _utc(entry.at),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "ip": entry.ip,
        "outcome": entry.outcome,
        "details": entry.details,
        "previous_hash": entry.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def client_ip(request):
    """The client's address as the server saw it (REMOTE_ADDR; the proxy sets it, never a client header)."""
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    try:
        # Written as the database gives it back (PostgreSQL's inet shortens IPv6), so that the hash holds.
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


@dataclasses.dataclass(frozen=True)
class Origin:
    """Where the code running now was started from: a request (with its client's address) or a task."""

    source: str  # "request" or "task"
    ip: str | None = None
    # The request's user, read when a row needs it (authentication runs after the middleware that sets the origin).
    user: Callable[[], object] | None = dataclasses.field(default=None, compare=False)


_origin = contextvars.ContextVar("audit_origin", default=None)


def current_origin():
    """The Origin of the request or task being run in this thread or task, or None outside both."""
    return _origin.get()


@contextlib.contextmanager
def origin(source, *, ip=None, user=None):
    """Run the block as part of a request (``ip``: its client's address; ``user``: a function giving its user) or of a
    task; the previous origin is restored at the end, whatever happens."""
    token = _origin.set(Origin(source, ip, user))
    try:
        yield
    finally:
        _origin.reset(token)


_task_tokens = {}  # task id -> ContextVar token, from task_prerun to task_postrun (one task at a time per thread)


def _on_task_start(task_id=None, **kwargs):
    _task_tokens[task_id] = _origin.set(Origin("task"))


def _on_task_end(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            _origin.reset(token)
        except ValueError:  # set in another context (a pool that does not run both signals in one): forget it
            _origin.set(None)


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {AuditEntry._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def record(
    action,
    *,
    actor=None,
    obj=None,
    request=None,
    outcome=AuditOutcome.OK,
    details=None,
    actor_label="",
    object_ref=None,
):
    """Append one row to the audit log and return it. ``actor`` defaults to the request's user when signed in;
    ``obj`` (any model instance) gives the object's type, id and label, or ``object_ref`` (type, id, label) when
    there is no instance at hand. Without ``request``, the IP is the one of the request being served, if any
    (``current_origin``), and so is the actor when neither ``actor`` nor ``actor_label`` is given (a role change
    caught by a signal); a row written by a Celery task says so in its details. Runs in the caller's transaction:
    when it rolls back, the row goes with it."""
    ip = client_ip(request)
    if request is None:
        running = current_origin()
        if running is not None and running.source == "task":
            details = {**(details or {}), "source": "task"}
        elif running is not None:
            ip = running.ip
            if actor is None and not actor_label and running.user is not None:
                # A change caught by a signal (a role changed in the admin): made by whoever is signed in.
                user = running.user()
                actor = user if user is not None and user.is_authenticated else None
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if obj is not None:
        object_ref = (obj._meta.label_lower, "" if obj.pk is None else str(obj.pk), str(obj))
    object_type, object_id, object_repr = object_ref or ("", "", "")
    entry = AuditEntry(
        actor=actor,
        actor_label=(actor_label or (actor.get_username() if actor is not None else ""))[:254],
        action=AuditAction(action),
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:200],
        ip=ip,
        outcome=AuditOutcome(outcome),
        details=_jsonable(details),
    )
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry.previous_hash = last or genesis_hash()
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
    return entry


def record_staff_download(request, obj):
    """A file of a dossier downloaded by State staff (``is_staff``): recorded; the porteurs' own downloads are not."""
    if request.user.is_staff:
        record(AuditAction.ATTACHMENT_DOWNLOAD, request=request, obj=obj)


def verify(chunk_size=2000):
    """Walk the chain in id order. Returns (rows verified, first broken row or None)."""
    previous = genesis_hash()
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size):
        if entry.previous_hash != previous or compute_hash(entry) != entry.hash:
            return count, entry
        previous = entry.hash
        count += 1
    return count, None


def _on_login(sender, request, user, **kwargs):
    # A login by another way than the password says which (``login_method``, set on the user by its backend:
    # "proconnect").
    method = getattr(user, "login_method", None)
    record(AuditAction.LOGIN, actor=user, obj=user, request=request, details={"method": method} if method else None)


def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or credentials.get("email") or "")
    record(AuditAction.LOGIN_FAILED, request=request, outcome=AuditOutcome.FAILURE, actor_label=username)


def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(AuditAction.LOCKOUT, request=request, outcome=AuditOutcome.FAILURE, actor_label=str(username or ""))


def _remember_role(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and "role" not in update_fields):
        instance._audit_previous_role = None
        return
    instance._audit_previous_role = (
        sender._default_manager.filter(pk=instance.pk).values_list("role", flat=True).first()
    )


def _on_role_saved(sender, instance, created, raw=False, **kwargs):
    previous = getattr(instance, "_audit_previous_role", None)
    if raw or created or previous is None or previous == instance.role:
        return
    record(AuditAction.ROLE_CHANGE, obj=instance, details={"from": previous, "to": instance.role})


def _on_admin_log(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    record(
        AuditAction.ADMIN_CHANGE,
        actor=instance.user,
        object_ref=(
            instance.content_type.model_class()._meta.label_lower if instance.content_type_id else "",
            instance.object_id or "",
            instance.object_repr,
        ),
        details={"flag": instance.action_flag, "change": instance.get_change_message()},
    )


def connect_receivers():
    """Called once by CoreConfig.ready: logins, failed logins, lockouts (django-axes), role changes and the admin's
    own log; and the start and end of each Celery task (its rows have no IP and say so)."""
    user_logged_in.connect(_on_login, dispatch_uid="audit_login")
    user_locked_out.connect(_on_locked_out, dispatch_uid="audit_locked_out")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
    user_model = get_user_model()
    if any(field.name == "role" for field in user_model._meta.fields):
        pre_save.connect(_remember_role, sender=user_model, dispatch_uid="audit_role_before")
        post_save.connect(_on_role_saved, sender=user_model, dispatch_uid="audit_role_after")
    post_save.connect(_on_admin_log, sender="admin.LogEntry", dispatch_uid="audit_admin_log")
    task_prerun.connect(_on_task_start, dispatch_uid="audit_task_start", weak=False)
    task_postrun.connect(_on_task_end, dispatch_uid="audit_task_end", weak=False)
