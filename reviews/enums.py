"""Choices of the selection and the follow-up of laureates (committee decisions, grants, reports, the bouquet)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionOutcome(models.TextChoices):
    LAUREATE = "laureate", _("Lauréat")
    NOT_RETAINED = "not_retained", _("Non retenu")


class SessionStatus(models.TextChoices):
    OPEN = "open", _("En préparation")
    ADOPTED = "adopted", _("Liste adoptée")
    PUBLISHED = "published", _("Décisions publiées")


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("En cours")
    SUSPENDED = "suspended", _("Suspendue")
    CLOSED = "closed", _("Soldée")


class PaymentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Prévue")
    PAYABLE = "payable", _("À verser")
    PAID = "paid", _("Versée")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé, à examiner")
    CHANGES_REQUESTED = "changes_requested", _("Compléments demandés")
    APPROVED = "approved", _("Approuvé")

    @classmethod
    def editable_by_porteur(cls):
        return (cls.DRAFT, cls.CHANGES_REQUESTED)


# DSFR badge colour of each status of a grant, a tranche and a report (the label says it in words).
GRANT_STATUS_BADGES = {
    GrantStatus.ACTIVE: "fr-badge--info",
    GrantStatus.SUSPENDED: "fr-badge--warning",
    GrantStatus.CLOSED: "fr-badge--success",
}
PAYMENT_STATUS_BADGES = {
    PaymentStatus.SCHEDULED: "fr-badge--new",
    PaymentStatus.PAYABLE: "fr-badge--info",
    PaymentStatus.PAID: "fr-badge--success",
}
REPORT_STATUS_BADGES = {
    ReportStatus.DRAFT: "fr-badge--new",
    ReportStatus.SUBMITTED: "fr-badge--info",
    ReportStatus.CHANGES_REQUESTED: "fr-badge--warning",
    ReportStatus.APPROVED: "fr-badge--success",
}


class GrantEventKind(models.TextChoices):
    """What the history of a grant records (décret 2015-431 art. 5: staggered payments, suspension, follow-up)."""

    OPENED = "opened", _("Aide ouverte")
    AGREEMENT = "agreement", _("Convention signée")
    REPORT_SUBMITTED = "report_submitted", _("Rapport déposé")
    REPORT_APPROVED = "report_approved", _("Rapport approuvé")
    REPORT_CHANGES = "report_changes", _("Compléments demandés sur un rapport")
    PAYMENT = "payment", _("Versement enregistré")
    SUSPENDED = "suspended", _("Aide suspendue")
    RESUMED = "resumed", _("Aide rétablie")
    YEAR3 = "year3", _("Aide de 3e année décidée")
    CLOSED = "closed", _("Aide soldée")


class Year3Decision(models.TextChoices):
    PENDING = "", _("Non décidée")
    GRANTED = "granted", _("Accordée")
    REFUSED = "refused", _("Refusée")


class RequestStatus(models.TextChoices):
    """A request for a service of the bouquet, followed by staff."""

    REQUESTED = "requested", _("Demandé")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisé")


# DSFR badge colour of each status (the label says it in words).
REQUEST_STATUS_BADGES = {
    RequestStatus.REQUESTED: "fr-badge--new",
    RequestStatus.IN_PROGRESS: "fr-badge--info",
    RequestStatus.DONE: "fr-badge--success",
}
