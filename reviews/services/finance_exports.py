"""The finance team's exports (issue 11, item 9), CSV or XLSX through the exports' machinery (reviews/services/exports:
the same writers, formula injection neutralised, files downloadable only by who asked for them):

- the committee's decisions, published and provisional (one row per current decision);
- the grants and their payments (one row per tranche, with the grant's suspension and year-3 aid).

Rows are read ``CHUNK_SIZE`` at a time with their relations selected: the number of queries depends on the number of
chunks only. Only instructeurs ask for them (``reviews.export_finance``).
"""

import tempfile

from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import PaymentCondition, PhaseKind
from reviews.enums import DecisionOutcome, GrantStatus, PaymentStatus, Year3Decision
from reviews.models import Decision, Export, ExportKind, Payment
from reviews.services import exports
from reviews.services.exports import PARIS, Column, label

CHUNK_SIZE = 500


def person(user):
    return user.display_name if user is not None else ""


def region(dossier):
    return dossier.region.name if dossier.region_id else ""


def decision_status(decision):
    return _("Publiée") if decision.published_at else _("Provisoire")


DECISION_COLUMNS = [
    Column(_("Référence"), lambda d: d.dossier.reference, 20),
    Column(_("Nom du pôle"), lambda d: d.dossier.name, 36),
    Column(_("Région"), lambda d: region(d.dossier), 24),
    Column(_("Édition"), lambda d: d.dossier.phase.edition.name, 18),
    Column(_("Phase"), lambda d: label(PhaseKind, d.dossier.phase.kind), 24),
    Column(_("Décision"), lambda d: label(DecisionOutcome, d.outcome), 14),
    Column(_("Montant accordé (€)"), lambda d: d.amount, 14),
    Column(_("Motivation"), lambda d: d.motivation, 50),
    Column(_("Statut"), decision_status, 12),
    Column(_("Proposée le"), lambda d: d.decided_at, 18),
    Column(_("Proposée par"), lambda d: person(d.decided_by), 24),
    Column(_("Publiée le"), lambda d: d.published_at, 18),
    Column(_("Publiée par"), lambda d: person(d.published_by), 24),
]

GRANT_COLUMNS = [
    Column(_("Référence"), lambda p: p.grant.dossier.reference, 20),
    Column(_("Nom du pôle"), lambda p: p.grant.dossier.name, 36),
    Column(_("Région"), lambda p: region(p.grant.dossier), 24),
    Column(_("Édition"), lambda p: p.grant.dossier.phase.edition.name, 18),
    Column(_("Montant de l'aide (€)"), lambda p: p.grant.amount, 14),
    Column(_("Convention signée le"), lambda p: p.grant.agreement_signed_on, 14),
    Column(_("État de l'aide"), lambda p: label(GrantStatus, p.grant.status), 12),
    Column(_("Tranche"), lambda p: p.label, 24),
    Column(_("Part (%)"), lambda p: p.percent, 8),
    Column(_("Montant de la tranche (€)"), lambda p: p.amount, 14),
    Column(_("Condition de versement"), lambda p: label(PaymentCondition, p.condition), 36),
    Column(_("État de la tranche"), lambda p: label(PaymentStatus, p.status), 12),
    Column(_("Versée le"), lambda p: p.paid_on, 14),
    Column(_("Suspendue le"), lambda p: p.grant.suspended_at, 18),
    Column(_("Motif de la suspension"), lambda p: p.grant.suspension_motivation, 40),
    Column(_("Aide de 3e année"), lambda p: label(Year3Decision, p.grant.year3_decision), 12),
    Column(_("Montant de 3e année (€)"), lambda p: p.grant.year3_amount, 14),
    Column(_("Motivation de la 3e année"), lambda p: p.grant.year3_motivation, 40),
]


def decisions():
    return (
        Decision.objects.current()
        .select_related("dossier__region", "dossier__phase__edition", "decided_by", "published_by")
        .order_by("dossier__phase__edition__year", "dossier__reference", "pk")
    )


def payments():
    return Payment.objects.select_related("grant__dossier__region", "grant__dossier__phase__edition").order_by(
        "grant__dossier__reference", "position", "pk"
    )


# kind → (rows, columns, sheet title, file name stem)
KINDS = {
    ExportKind.DECISIONS: (decisions, DECISION_COLUMNS, _("Décisions"), "decisions-ptce"),
    ExportKind.GRANTS: (payments, GRANT_COLUMNS, _("Aides et versements"), "aides-versements-ptce"),
}


def chunks(queryset, pks):
    for start in range(0, len(pks), CHUNK_SIZE):
        chunk = pks[start : start + CHUNK_SIZE]
        loaded = {row.pk: row for row in queryset.filter(pk__in=chunk)}
        yield [loaded[pk] for pk in chunk if pk in loaded]


def write_file(export):
    rows, columns, title, stem = KINDS[ExportKind(export.kind)]
    queryset = rows()
    pks = list(queryset.values_list("pk", flat=True))
    export.total, export.done = len(pks), 0
    Export.objects.filter(pk=export.pk).update(total=export.total)

    def progress(done):
        export.done = done
        Export.objects.filter(pk=export.pk).update(done=done)

    with tempfile.TemporaryFile() as handle:
        exports.write(handle, export.format, columns, chunks(queryset, pks), on_chunk=progress, title=title)
        handle.seek(0)
        stamp = timezone.localtime(export.created_at, PARIS).strftime("%Y-%m-%d-%Hh%M")
        export.file.save(f"{stem}-{stamp}.{export.format}", File(handle), save=False)


def build_export(export):
    """Task ``reviews.build_export`` for a finance export: exports.build_export with these rows."""
    return exports.build_export(export, write_file)
