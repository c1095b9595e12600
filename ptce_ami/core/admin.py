"""The queued tasks, the outbox, the reminders sent and the sweep runs in the Django admin: read-only, for State
staff.

Permissions are django-rules perms registered by the accounts floor (``ptce_ami/accounts/rules.py``), this
floor importing nothing of ours. Staff retry failed e-mails here ("Renvoyer"; a sent one is never resent) and
failed tasks ("Relancer"; a task done or running is left alone).
"""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from rules.contrib.admin import ObjectPermissionsModelAdmin

from ptce_ami.core import outbox, queue
from ptce_ami.core.models import (
    AuditCheckpoint,
    AuditEntry,
    EmailStatus,
    OutboundEmail,
    QueuedTask,
    SentReminder,
    SweepRun,
    TaskStatus,
)


def retry_selected(request, queryset, *, retryable, retry, retried, kept):
    """The admin's "retry" actions: ``retry(row)`` (True when it queued the row) on the selected rows matching
    ``retryable`` (a Q); the others are left alone. ``retried`` and ``kept`` are ``ngettext_lazy(…, "count")``
    messages telling how many rows were queued again and how many were left as they were."""
    skipped = queryset.exclude(retryable).count()
    queued = sum(retry(row) for row in queryset.filter(retryable))
    if queued:
        messages.success(request, retried % {"count": queued})
    if skipped:
        messages.info(request, kept % {"count": skipped})


class ReadOnlyMixin:
    """Rows the platform writes (or a referential it loads): viewed in the admin, never added, changed nor deleted
    by hand. For every admin of the project (ModelAdmin or inline)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, ObjectPermissionsModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


class RetryableAdmin(ReadOnlyAdmin):
    """Read-only rows whose list has a "retry" action: "change" is the right to run it (rules), on the list only."""

    def has_change_permission(self, request, obj=None):
        return obj is None and ObjectPermissionsModelAdmin.has_change_permission(self, request, obj)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(RetryableAdmin):
    list_display = ["created_at", "recipient", "subject", "template", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    actions = ["resend"]
    fields = ["created_at", "recipient", "cc", "subject", "template", "status", "attempts", "short_error"]
    fields += ["claimed_at", "sent_at", "key", "content_type", "object_id", "attachments"]

    def get_fields(self, request, obj=None):
        # Bodies may carry sign-in links (confirmation, invitation): only administrateurs read them.
        return [*self.fields, "body_text", "body_html"] if request.user.is_superuser else list(self.fields)

    @admin.display(description=_("dernière erreur"))
    def short_error(self, email):
        return Truncator(email.last_error).chars(300) or "—"

    @admin.action(description=_("Renvoyer"), permissions=["change"])
    def resend(self, request, queryset):
        """Queue the failed messages again; pending ones are already queued, sent ones are never resent."""
        retry_selected(
            request,
            queryset,
            retryable=Q(status=EmailStatus.FAILED),
            retry=outbox.requeue,
            retried=ngettext_lazy(
                "%(count)d courriel remis en envoi.", "%(count)d courriels remis en envoi.", "count"
            ),
            kept=ngettext_lazy(
                "%(count)d courriel n'est pas en échec : il n'est pas renvoyé.",
                "%(count)d courriels ne sont pas en échec : ils ne sont pas renvoyés.",
                "count",
            ),
        )


@admin.register(SentReminder)
class SentReminderAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "recipient", "kind", "content_type", "object_id"]
    list_filter = ["kind"]
    search_fields = ["recipient"]
    ordering = ["-sent_at", "-pk"]
    fields = ["sent_at", "recipient", "kind", "content_type", "object_id", "email"]
    list_select_related = ["content_type"]


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "started_at", "finished_at", "processed", "short_error"]
    list_filter = ["name"]
    ordering = ["-started_at", "-pk"]
    fields = ["name", "started_at", "finished_at", "processed", "error"]

    @admin.display(description=_("erreur"))
    def short_error(self, run):
        return Truncator(run.error).chars(120) or "—"


@admin.register(QueuedTask)
class QueuedTaskAdmin(RetryableAdmin):
    list_display = ["created_at", "name", "status", "sends", "runs", "due_at", "finished_at"]
    list_filter = ["status", "name"]
    search_fields = ["task_id"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    actions = ["resend"]
    fields = ["created_at", "name", "kwargs", "status", "sends", "runs", "due_at", "started_at", "finished_at"]
    fields += ["short_error", "task_id"]

    @admin.display(description=_("dernière erreur"))
    def short_error(self, task):
        return Truncator(task.last_error).chars(300) or "—"

    @admin.action(description=_("Relancer"), permissions=["change"])
    def resend(self, request, queryset):
        """Send the failed tasks again; the others are waiting for a worker, running or done."""
        retry_selected(
            request,
            queryset,
            retryable=Q(status=TaskStatus.FAILED),
            retry=queue.requeue,
            retried=ngettext_lazy("%(count)d tâche remise en file.", "%(count)d tâches remises en file.", "count"),
            kept=ngettext_lazy(
                "%(count)d tâche n'est pas en échec : elle n'est pas relancée.",
                "%(count)d tâches ne sont pas en échec : elles ne sont pas relancées.",
                "count",
            ),
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log (ptce_ami.core.audit), for administrateurs: read and filtered, never added, changed nor
    deleted, superusers included (the database refuses it too on PostgreSQL)."""

    list_display = ["at", "action", "outcome", "actor_label", "object_type", "object_repr", "ip"]
    list_filter = ["action", "outcome", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_label", "object_repr", "object_id", "ip"]
    date_hierarchy = "at"
    ordering = ["-id"]
    show_full_result_count = False
    fields = ["at", "action", "outcome", "actor", "actor_label", "object_type", "object_id", "object_repr", "ip"]
    fields += ["details", "previous_hash", "hash"]
    list_select_related = ["actor"]


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    """The audit log's archived prefixes (ptce_ami.core.audit.archive_prefix): which rows left the log, in which file,
    with its SHA-256 (``manage.py verify_audit_log --archive`` checks a file against it). Read only, like the log."""

    list_display = ["at", "archive_name", "rows", "first_at", "last_at", "first_id", "through_id"]
    ordering = ["-through_id"]
    fields = ["at", "archive_name", "archive_sha256", "rows", "first_id", "through_id", "first_at", "last_at"]
    fields += ["from_hash", "through_hash"]
