"""Ground-floor records of background work: the tasks queued, the e-mail outbox, reminders sent, sweep runs.

They point at the objects they concern through generic relations, so that this floor imports nothing of ours.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("En attente d'envoi")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class RelatedObjectMixin(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


class OutboundEmailQuerySet(models.QuerySet):
    def about(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class OutboundEmail(RelatedObjectMixin):
    """One e-mail to one recipient, recorded before it is sent (a transactional outbox).

    ``key`` makes creation idempotent: building the same message twice (a task run again) finds the row
    instead of adding one, so a message is sent at most once.
    """

    key = models.CharField(_("clé"), max_length=200, unique=True)
    template = models.CharField(_("modèle"), max_length=120)
    recipient = models.EmailField(_("destinataire"))
    cc = models.JSONField(_("copie à"), default=list, blank=True)
    subject = models.CharField(_("objet"), max_length=255)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("courriel")
        verbose_name_plural = _("courriels")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbound_email_status_idx"),
            models.Index(fields=["content_type", "object_id"], name="outbound_email_object_idx"),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"


class SentReminder(RelatedObjectMixin):
    """A reminder given to one recipient about one object: the unique constraint makes it at most once."""

    recipient = models.EmailField(_("destinataire"))
    kind = models.CharField(_("relance"), max_length=40)
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    email = models.ForeignKey(OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("relance envoyée")
        verbose_name_plural = _("relances envoyées")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "content_type", "object_id"], name="sent_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"


class SweepRun(models.Model):
    """One run of a periodic sweep (reminders, re-queues, digests), for operators in the admin."""

    name = models.CharField(_("tâche"), max_length=100)
    started_at = models.DateTimeField(_("début"), default=timezone.now)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    processed = models.PositiveIntegerField(_("éléments traités"), default=0)
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        verbose_name = _("exécution de tâche périodique")
        verbose_name_plural = _("exécutions de tâches périodiques")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["name", "-started_at"], name="sweep_run_name_idx")]

    def __str__(self):
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M}"


class TaskStatus(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminée")
    FAILED = "failed", _("Échec")


class QueuedTask(models.Model):
    """One piece of work handed to the workers, recorded in the transaction that asked for it.

    ``task_id`` is the Celery task id: the worker marks the row RUNNING, then DONE, or FAILED when the task gave up.
    ``due_at`` is when the row counts as lost if it has not moved on: the sweep sends it again (the broker was down,
    Redis lost the message, the worker died with it). See ``ptce_ami.core.queue``.
    """

    task_id = models.UUIDField(_("identifiant de la tâche"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("tâche"), max_length=200)
    kwargs = models.JSONField(_("paramètres"), default=dict, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.QUEUED)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    due_at = models.DateTimeField(_("à relancer après"))
    sends = models.PositiveSmallIntegerField(_("mises en file"), default=1)
    runs = models.PositiveSmallIntegerField(_("exécutions"), default=0)
    started_at = models.DateTimeField(_("dernier démarrage"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        verbose_name = _("tâche en file")
        verbose_name_plural = _("tâches en file")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="queued_task_due_idx"),
            models.Index(fields=["name", "-created_at"], name="queued_task_name_idx"),
        ]

    def __str__(self):
        return f"{self.name} {self.task_id}"


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Connexion")
    LOGIN_FAILED = "login_failed", _("Échec de connexion")
    LOCKOUT = "lockout", _("Verrouillage du compte")
    ROLE_CHANGE = "role_change", _("Changement de rôle")
    EXPORT = "export", _("Export de données")
    ATTACHMENT_DOWNLOAD = "attachment_download", _("Téléchargement d'une pièce jointe")
    DECISION_PUBLICATION = "decision_publication", _("Publication de décisions")
    ELIGIBILITY_OVERRIDE = "eligibility_override", _("Forçage de l'éligibilité")
    REOPENING = "reopening", _("Réouverture")
    TOKEN_CREATION = "token_creation", _("Création d'un jeton d'API")
    ADMIN_CHANGE = "admin_change", _("Modification dans l'administration")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Activation de la double authentification")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Désactivation de la double authentification")
    TWO_FACTOR_VERIFIED = "two_factor_verified", _("Second facteur vérifié")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Code de second facteur incorrect")
    TWO_FACTOR_LOCKOUT = "two_factor_lockout", _("Blocage du second facteur")
    RECOVERY_CODE_USED = "recovery_code_used", _("Utilisation d'un code de secours")
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", _("Nouveaux codes de secours")
    RETENTION = "retention", _("Application des durées de conservation")
    ACCOUNT_DELETION = "account_deletion", _("Suppression d'un compte par son titulaire")
    ADMISSIBILITY = "admissibility", _("Décision de recevabilité")
    DECISION_PROPOSAL = "decision_proposal", _("Proposition de décision au comité")
    DECISION_WITHDRAWAL = "decision_withdrawal", _("Retrait d'une proposition de décision")
    LIST_ADOPTION = "list_adoption", _("Adoption de la liste du comité")
    YEAR3_DECISION = "year3_decision", _("Décision sur l'aide de 3e année")
    AUDIT_ARCHIVE = "audit_archive", _("Archivage du début du journal d'audit")


class AuditOutcome(models.TextChoices):
    OK = "ok", _("Réussite")
    FAILURE = "failure", _("Échec")
    DENIED = "denied", _("Refus")


class AppendOnlyError(Exception):
    """An audit row was about to be changed or deleted: the log is append-only."""


class AppendOnlyQuerySet(models.QuerySet):
    """The audit log's tables: no queryset update nor delete."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are never changed")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows are never deleted")


class AuditEntry(models.Model):
    """One sensitive action, chained to the previous row by SHA-256 (``ptce_ami.core.audit``).

    Written only through ``audit.record``; never changed nor deleted (here in Python, and on PostgreSQL by a
    trigger). ``actor`` keeps the user id even if the account is deleted (no database constraint, nothing
    cascades): ``actor_label`` keeps who it was.
    """

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("auteur (libellé)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    object_type = models.CharField(_("type d'objet"), max_length=100, blank=True)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    object_repr = models.CharField(_("objet"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    outcome = models.CharField(_("résultat"), max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.OK)
    details = models.JSONField(_("détails"), default=dict, blank=True)
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64)
    hash = models.CharField(_("empreinte"), max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-id"]
        indexes = [models.Index(fields=["action", "-at"], name="audit_action_idx")]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self.hash:
            raise AppendOnlyError("audit entries are written once, by ptce_ami.core.audit.record")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are never deleted")


class AuditCheckpoint(models.Model):
    """An archived prefix of the audit log (``ptce_ami.core.audit.archive_prefix``): the rows ``first_id`` to
    ``through_id`` were written to the file ``archive_name`` (its SHA-256 kept here) and then removed; the chain
    goes on from ``through_hash``, the hash of the last archived row. Append-only like the log (here in Python, and on
    PostgreSQL by a trigger), and announced by an ``audit_archive`` row of the log itself."""

    at = models.DateTimeField(_("date"), default=timezone.now)
    first_id = models.PositiveBigIntegerField(_("première entrée archivée"))
    through_id = models.PositiveBigIntegerField(_("dernière entrée archivée"), unique=True)
    from_hash = models.CharField(_("empreinte avant la première entrée"), max_length=64)
    through_hash = models.CharField(_("empreinte de la dernière entrée"), max_length=64)
    rows = models.PositiveIntegerField(_("entrées archivées"))
    first_at = models.DateTimeField(_("date de la première entrée"))
    last_at = models.DateTimeField(_("date de la dernière entrée"))
    archive_name = models.CharField(_("fichier d'archive"), max_length=200)
    archive_sha256 = models.CharField(_("empreinte SHA-256 du fichier"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("archive du journal d'audit")
        verbose_name_plural = _("archives du journal d'audit")
        ordering = ["-through_id"]

    def __str__(self):
        return f"{self.archive_name} ({self.first_id}–{self.through_id})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit checkpoints are written once, by ptce_ami.core.audit.archive_prefix")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit checkpoints are never deleted")
