"""The tamper-evident audit log: sensitive actions appended to a SHA-256 chain (DESIGN §10, issue 13 part 6).

``record(action, …)`` is the only writer. Each row's ``hash`` is the SHA-256 of the canonical JSON of its content
together with the previous row's hash, so changing, inserting or deleting a row breaks every later link;
``manage.py verify_audit_log`` walks the chain and names the first broken row. The previous row is read under a
table lock (PostgreSQL) or the write lock (SQLite), so that the chain stays linear. Rows are never changed nor
deleted: the model refuses it, and on PostgreSQL a trigger does too (migration core/0005).

Retention (``AUDIT_RETENTION_DAYS``, default 0 = rows kept forever): when a period is set, the nightly task
``core.archive_audit_log`` (or ``manage.py archive_audit_log``) calls ``archive_prefix``: the oldest rows, a prefix of
the chain older than the period, are verified, written to a gzipped JSON-lines file in ``AUDIT_ARCHIVE_DIR`` (one row
a line, with its hashes), recorded as an ``AuditCheckpoint`` (the file's SHA-256, the first and last ids and hashes)
and removed, and an ``audit_archive`` row is appended to the log. The chain then starts from the checkpoint's last
hash; ``verify_audit_log --archive FILE`` checks an archived file against its checkpoint. The PostgreSQL trigger lets
a DELETE through only for rows a checkpoint covers; nothing else ever removes a row.

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
import decimal
import gzip
import hashlib
import ipaddress
import json
import os
from collections.abc import Callable
from pathlib import Path

from axes.signals import user_locked_out
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from ptce_ami.core import notifications
from ptce_ami.core.models import AuditAction, AuditCheckpoint, AuditEntry, AuditOutcome

GENESIS_HASH = "0" * 64


def genesis_hash():
    return getattr(settings, "AUDIT_GENESIS_HASH", "") or GENESIS_HASH


def _json_default(value):
    # Decimals without their trailing zeros, so that an amount reads the same typed (100000) or stored (100000.00).
    return format(value.normalize(), "f") if isinstance(value, decimal.Decimal) else str(value)


def _jsonable(details):
    """``details`` as it reads back from a JSON column (dates and decimals as strings)."""
    return json.loads(json.dumps(details or {}, default=_json_default))


def _utc(moment):
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def hashed_content(entry):
    """What ``entry``'s hash covers: its content and the previous row's hash, as JSON values."""
    return {
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


def hash_of(content):
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def compute_hash(entry):
    """The SHA-256 of ``entry``'s content and of the previous row's hash (hex)."""
    return hash_of(hashed_content(entry))


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
        entry.previous_hash = last or chain_base()[1]
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
    return entry


def record_staff_download(request, obj, details=None):
    """A file of a dossier downloaded by State staff (``is_staff``): recorded; the porteurs' own downloads are not.
    ``obj`` is the file's row (an attachment, a notice), or the dossier for the zip of all its files."""
    if request.user.is_staff:
        record(AuditAction.ATTACHMENT_DOWNLOAD, request=request, obj=obj, details=details)


def chain_base():
    """(id, hash) the chain starts after: the last checkpoint's (its prefix archived), else (0, genesis hash)."""
    checkpoint = AuditCheckpoint.objects.order_by("-through_id").values_list("through_id", "through_hash").first()
    return checkpoint or (0, genesis_hash())


def verify(chunk_size=2000):
    """Walk the chain in id order, from the last checkpoint. Returns (rows verified, first broken row or None).

    A row is broken when its content does not give its hash, when it does not name the previous row's hash, or when it
    lies inside a prefix a checkpoint says was archived."""
    start_id, previous = chain_base()
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size):
        if entry.pk <= start_id or entry.previous_hash != previous or compute_hash(entry) != entry.hash:
            return count, entry
        previous = entry.hash
        count += 1
    return count, None


def unannounced_checkpoint():
    """The last checkpoint when no ``audit_archive`` row of the log announces it (a prefix removed by other means than
    ``archive_prefix``), else None."""
    checkpoint = AuditCheckpoint.objects.order_by("-through_id").first()
    if checkpoint is None:
        return None
    announced = AuditEntry.objects.filter(
        action=AuditAction.AUDIT_ARCHIVE, object_id=str(checkpoint.pk), details__through_hash=checkpoint.through_hash
    ).exists()
    return None if announced else checkpoint


# Archiving the oldest rows (retention) ---------------------------------------------------------------------------


class ChainBroken(Exception):
    """The rows to archive do not form an intact chain: nothing is archived nor removed."""

    def __init__(self, entry):
        super().__init__(f"audit log broken at entry id={entry.pk}")
        self.entry = entry


def archive_dir():
    return Path(settings.AUDIT_ARCHIVE_DIR)


def archive_prefix(*, before, by_label="", directory=None, chunk_size=2000):
    """Archive and remove the rows of the log older than ``before`` (a datetime): the longest prefix of the chain whose
    rows are all older. Returns the AuditCheckpoint, or None when no row is old enough.

    Under the chain's lock, in one transaction: the prefix is verified (ChainBroken otherwise, and nothing changes),
    written to ``<directory>/journal-audit-<first id>-<last id>.jsonl.gz`` (made durable before anything is
    removed), recorded as a checkpoint with the file's SHA-256, deleted, and an ``audit_archive`` row is appended that
    names the checkpoint. When the transaction rolls back, the file stays, the rows too: a later run writes it again.
    """
    directory = Path(directory) if directory is not None else archive_dir()
    with transaction.atomic():
        _lock_chain()
        start_id, from_hash = chain_base()
        first_kept = AuditEntry.objects.filter(at__gte=before).order_by("id").values_list("id", flat=True).first()
        prefix = AuditEntry.objects.filter(id__gt=start_id).order_by("id")
        if first_kept is not None:
            prefix = prefix.filter(id__lt=first_kept)
        bounds = prefix.values_list("id", flat=True)
        first_id, last_id = bounds.first(), bounds.last()
        if first_id is None:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"journal-audit-{first_id:012d}-{last_id:012d}.jsonl.gz"
        partial = path.with_name(path.name + ".partial")
        previous, rows, first_at, last_at = from_hash, 0, None, None
        with open(partial, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as archive:
            for entry in prefix.iterator(chunk_size=chunk_size):
                content = hashed_content(entry)
                if entry.previous_hash != previous or hash_of(content) != entry.hash:
                    raise ChainBroken(entry)
                line = {"id": entry.pk, **content, "hash": entry.hash}
                archive.write(json.dumps(line, sort_keys=True, ensure_ascii=False).encode() + b"\n")
                previous, rows = entry.hash, rows + 1
                first_at, last_at = first_at or entry.at, entry.at
            archive.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
        checkpoint = AuditCheckpoint.objects.create(
            first_id=first_id,
            through_id=last_id,
            from_hash=from_hash,
            through_hash=previous,
            rows=rows,
            first_at=first_at,
            last_at=last_at,
            archive_name=path.name,
            archive_sha256=file_sha256(path),
        )
        with connection.cursor() as cursor:  # the model refuses deletes; the trigger allows these rows, now covered
            cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id >= %s AND id <= %s", [first_id, last_id])
        record(
            AuditAction.AUDIT_ARCHIVE,
            actor_label=by_label,
            object_ref=("core.auditcheckpoint", checkpoint.pk, str(checkpoint)),
            details={
                "rows": rows,
                "first_id": first_id,
                "through_id": last_id,
                "through_hash": previous,
                "archive": path.name,
                "sha256": checkpoint.archive_sha256,
            },
        )
    return checkpoint


def archive_expired(*, now=None, by_label=""):
    """``archive_prefix`` of the rows older than AUDIT_RETENTION_DAYS (the nightly task); None while it is 0."""
    days = settings.AUDIT_RETENTION_DAYS
    if days <= 0:
        return None
    return archive_prefix(before=(now or timezone.now()) - datetime.timedelta(days=days), by_label=by_label)


def send_anchor(*, now=None):
    """E-mail the chain's state to AUDIT_ANCHOR_EMAILS (the nightly task ``core.anchor_audit_log``): verified or the
    first broken row, and the last row's hash. Kept in mailboxes outside the platform, that hash is what shows a log
    cut at its end or rewritten from a row onwards (``verify_audit_log --expect-hash``), which the chain alone cannot.
    Once a day per address (the outbox's key). Returns the number of messages queued."""
    recipients = settings.AUDIT_ANCHOR_EMAILS
    if not recipients:
        return 0
    verified, broken = verify()
    return notifications.send_audit_anchor(
        recipients,
        day=timezone.localdate(now or timezone.now()),
        verified=verified,
        broken=broken,
        last=AuditEntry.objects.order_by("-id").only("id", "at", "hash").first(),
    )


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclasses.dataclass
class ArchiveCheck:
    """What ``verify_archive`` found: ``problem`` is empty when the file is the intact, recorded prefix."""

    rows: int = 0
    problem: str = ""
    checkpoint: AuditCheckpoint | None = None


def verify_archive(path):
    """Check an archived file: a checkpoint records it with this SHA-256, its rows chain from the checkpoint's first
    hash to its last, each row's content gives its hash, and it holds the checkpoint's rows. ``problem`` says the
    first thing wrong (in French, for the operator)."""
    path = Path(path)
    check = ArchiveCheck()
    check.checkpoint = AuditCheckpoint.objects.filter(archive_name=path.name).order_by("-through_id").first()
    if check.checkpoint is None:
        check.problem = f"aucune archive enregistrée sous le nom {path.name}"
        return check
    if file_sha256(path) != check.checkpoint.archive_sha256:
        check.problem = "l'empreinte SHA-256 du fichier n'est pas celle enregistrée lors de l'archivage"
        return check
    previous = check.checkpoint.from_hash
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            row = json.loads(line)
            stored = row.pop("hash")
            row_id = row.pop("id")
            if row["previous_hash"] != previous or hash_of(row) != stored:
                check.problem = f"chaîne rompue à la ligne {number} (entrée id={row_id})"
                return check
            previous, check.rows = stored, check.rows + 1
    if previous != check.checkpoint.through_hash or check.rows != check.checkpoint.rows:
        check.problem = "le fichier ne contient pas toutes les entrées archivées"
    return check


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
