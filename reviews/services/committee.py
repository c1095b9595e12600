"""The selection committee (DESIGN §1, §5; issue 11 item 2): the only writer of ``Decision`` and ``CommitteeSession``.

Staff *propose* a decision on each eligible dossier of a phase: laureate (with the amount granted, phase 2) or not
retained, always with a motivation. A proposal is refused, with the figures, when it would take what the phase commits
beyond its envelope (or the edition's, when the edition has one) or its laureates beyond the phase's maximum. The
phase's row is locked while a proposal is checked, so that two proposals at once cannot both squeeze into the last
euros of the envelope.

A ``CommitteeSession`` records the meeting (date, members present, notes); adopting its list takes the provisional
decisions of the phase not yet in a session, freezes them and queues the minutes' PDF (``reviews.render_minutes``).
Publication (``publication.py``) then makes them known. Until then decisions are provisional, invisible to porteurs,
and the dossier stays "Recevable".
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.enums import BudgetCategory, DossierState, PhaseKind
from applications.models import BudgetLine, Dossier, Phase
from applications.services import statistics
from ptce_ami.core import audit
from ptce_ami.core.money import euros
from ptce_ami.core.pdf import html_to_pdf, render_notice_html
from ptce_ami.core.queue import enqueue
from reviews.enums import DecisionOutcome, SessionStatus
from reviews.models import CommitteeSession, Decision

logger = logging.getLogger(__name__)

MINUTES_TEMPLATE = "reviews/pdf/committee_minutes.html"


class ProposalRefused(Exception):
    """A proposal, a change or a withdrawal that cannot be made; ``field`` names the form field it concerns."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


# What is committed --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commitment:
    """What the current proposal commits: laureates and their amounts, in a phase and in its edition."""

    phase: Phase
    laureates: int
    committed: Decimal
    edition_committed: Decimal

    @property
    def envelope(self):
        return self.phase.envelope

    @property
    def remaining(self):
        return None if self.envelope is None else self.envelope - self.committed

    @property
    def edition_envelope(self):
        return self.phase.edition.envelope

    @property
    def edition_remaining(self):
        return None if self.edition_envelope is None else self.edition_envelope - self.edition_committed

    @property
    def max_laureates(self):
        return self.phase.max_laureates

    @property
    def over_envelope(self):
        return self.remaining is not None and self.remaining < 0


def laureate_decisions(**filters):
    return Decision.objects.current().filter(outcome=DecisionOutcome.LAUREATE, **filters)


def commitment(phase, *, excluding=None):
    """The phase's Commitment (three queries), leaving out the current decision on dossier ``excluding``."""
    decisions = laureate_decisions(dossier__phase=phase)
    # The edition's phases as a list of ids: the dossiers are then read by their phase's index, whatever the
    # number of other editions' dossiers (a join on the edition made PostgreSQL scan them all).
    edition_phases = list(Phase.objects.filter(edition_id=phase.edition_id).values_list("pk", flat=True))
    edition_decisions = laureate_decisions(dossier__phase_id__in=edition_phases)
    if excluding is not None:
        decisions = decisions.exclude(dossier=excluding)
        edition_decisions = edition_decisions.exclude(dossier=excluding)
    totals = decisions.aggregate(count=Count("pk"), amount=Sum("amount"))
    edition_total = edition_decisions.aggregate(amount=Sum("amount"))["amount"]
    return Commitment(
        phase=phase,
        laureates=totals["count"],
        committed=totals["amount"] or Decimal(0),
        edition_committed=edition_total or Decimal(0),
    )


def check_limits(phase, dossier, amount):
    """ProposalRefused when making ``dossier`` laureate for ``amount`` breaks the phase's (or edition's) limits."""
    current = commitment(phase, excluding=dossier)
    if current.max_laureates is not None and current.laureates + 1 > current.max_laureates:
        raise ProposalRefused(
            ngettext(
                "Nombre de lauréats dépassé : %(count)d lauréat déjà proposé, la phase en admet %(max)d au plus.",
                "Nombre de lauréats dépassé : %(count)d lauréats déjà proposés, la phase en admet %(max)d au plus.",
                current.laureates,
            )
            % {"count": current.laureates, "max": current.max_laureates},
            field="outcome",
        )
    amount = amount or Decimal(0)
    if current.envelope is not None and current.committed + amount > current.envelope:
        raise ProposalRefused(
            _("Enveloppe dépassée : %(committed)s déjà proposés + %(amount)s > %(envelope)s.")
            % {"committed": euros(current.committed), "amount": euros(amount), "envelope": euros(current.envelope)},
            field="amount",
        )
    if current.edition_envelope is not None and current.edition_committed + amount > current.edition_envelope:
        raise ProposalRefused(
            _(
                "Enveloppe de l'édition dépassée : %(committed)s déjà proposés sur l'édition + %(amount)s > "
                "%(envelope)s."
            )
            % {
                "committed": euros(current.edition_committed),
                "amount": euros(amount),
                "envelope": euros(current.edition_envelope),
            },
            field="amount",
        )


def checked_amount(phase, outcome, amount):
    """The amount to record: required within the phase's bounds for a phase-2 laureate, none otherwise."""
    if outcome != DecisionOutcome.LAUREATE:
        return None
    if phase.kind != PhaseKind.PHASE2:
        if amount:
            raise ProposalRefused(
                _("La phase 1 ne donne pas d'aide financière : le lauréat reçoit le label « PTCE émergent »."),
                field="amount",
            )
        return None
    if amount is None:
        raise ProposalRefused(_("Indiquez le montant de l'aide accordée à ce lauréat."), field="amount")
    amount = Decimal(amount)
    low, high = phase.min_grant, phase.max_grant
    if amount <= 0 or (low is not None and amount < low) or (high is not None and amount > high):
        raise ProposalRefused(bounds_message(low, high, amount), field="amount")
    return amount


def bounds_message(low, high, amount):
    if low is not None and high is not None:
        return _("Le montant (%(amount)s) doit être compris entre %(low)s et %(high)s pour cette phase.") % {
            "amount": euros(amount),
            "low": euros(low),
            "high": euros(high),
        }
    if high is not None:
        return _("Le montant (%(amount)s) doit être positif et ne pas dépasser %(high)s pour cette phase.") % {
            "amount": euros(amount),
            "high": euros(high),
        }
    if low is not None:
        return _("Le montant (%(amount)s) doit être d'au moins %(low)s pour cette phase.") % {
            "amount": euros(amount),
            "low": euros(low),
        }
    return _("Le montant de l'aide doit être positif.")


# Proposing --------------------------------------------------------------------------------------------------------


def locked(dossier):
    """The dossier's row and its phase's row, locked (the phase first: every proposal of a phase waits its turn)."""
    phase = Phase.objects.select_for_update().select_related("edition").get(pk=dossier.phase_id)
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
    dossier.phase = phase
    return dossier


def frozen_refusal(decision):
    if decision.published_at is not None:
        return _("La décision sur ce dossier est publiée : pour la changer, rouvrez-la en la motivant.")
    return _(
        "La liste du comité du %(date)s est adoptée : cette décision ne peut plus changer avant sa publication."
    ) % {"date": decision.session.held_on.strftime("%d/%m/%Y")}


def is_frozen(decision):
    return decision.published_at is not None or (
        decision.session_id is not None and decision.session.status != SessionStatus.OPEN
    )


@transaction.atomic
def propose(dossier, *, outcome, motivation, by, amount=None):
    """Propose (or change) the provisional decision on an eligible dossier; returns the Decision.

    ProposalRefused (with its field) for a dossier not eligible, a decision already adopted or published, a missing
    motivation, an amount out of the phase's bounds, or a proposal beyond the envelope or the number of laureates.
    """
    dossier = locked(dossier)
    phase = dossier.phase
    if dossier.state != DossierState.ELIGIBLE:
        raise ProposalRefused(
            _("Le dossier %(reference)s n'est pas recevable (état : %(state)s) : le comité ne peut pas en décider.")
            % {"reference": dossier.reference, "state": dossier.get_state_display()}
        )
    if outcome not in DecisionOutcome.values:
        raise ProposalRefused(_("Choisissez « Lauréat » ou « Non retenu »."), field="outcome")
    motivation = (motivation or "").strip()
    if not motivation:
        raise ProposalRefused(_("La décision doit être motivée."), field="motivation")
    amount = checked_amount(phase, outcome, amount)
    if outcome == DecisionOutcome.LAUREATE:
        check_limits(phase, dossier, amount)
    decision = Decision.objects.current().select_related("session").filter(dossier=dossier).first()
    if decision is not None and is_frozen(decision):
        raise ProposalRefused(frozen_refusal(decision))
    decision = decision or Decision(dossier=dossier)
    decision.outcome, decision.amount, decision.motivation = outcome, amount, motivation
    decision.decided_by, decision.decided_at = by, timezone.now()
    decision.save()
    audit.record(
        audit.AuditAction.DECISION_PROPOSAL,
        actor=by,
        obj=decision,
        details={"dossier": dossier.reference, "outcome": outcome, "amount": amount},
    )
    logger.info("Decision %s on %s proposed by %s: %s %s", decision.pk, dossier.reference, by, outcome, amount)
    return decision


@transaction.atomic
def withdraw(decision, *, by):
    """Withdraw a provisional decision not yet adopted (or adopted, on a dossier no longer eligible): the dossier has
    no proposal any more."""
    decision = (
        Decision.objects.select_for_update(of=("self",)).select_related("session", "dossier").get(pk=decision.pk)
    )
    if decision.revoked_at is not None:
        return
    # An adopted decision stays as adopted, unless its dossier left the running meanwhile (withdrawn, reopened):
    # the list cannot be published with it.
    stale = decision.published_at is None and decision.dossier.state != DossierState.ELIGIBLE
    if is_frozen(decision) and not stale:
        raise ProposalRefused(frozen_refusal(decision))
    logger.info("Decision %s on %s withdrawn by %s", decision.pk, decision.dossier.reference, by)
    audit.record(
        audit.AuditAction.DECISION_WITHDRAWAL,
        actor=by,
        obj=decision,
        details={"dossier": decision.dossier.reference, "outcome": decision.outcome, "amount": decision.amount},
    )
    decision.delete()


# Sessions ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def create_session(phase, *, held_on, members_present, notes, by):
    session = CommitteeSession.objects.create(
        phase=phase, held_on=held_on, members_present=members_present.strip(), notes=notes.strip()
    )
    logger.info("Committee session %s of phase %s created by %s", session.pk, phase.pk, by)
    return session


@transaction.atomic
def update_session(session, *, held_on, members_present, notes):
    session = CommitteeSession.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.OPEN:
        raise ProposalRefused(_("La liste de ce comité est adoptée : son relevé ne change plus."))
    session.held_on, session.members_present, session.notes = held_on, members_present.strip(), notes.strip()
    session.save(update_fields=["held_on", "members_present", "notes"])
    return session


def view_figures(phase):
    """The committee view's figures for ``phase``: its commitment, its regional balance and the decisions waiting
    for a session; cached until a decision or a dossier's state changes (every Decision saved or deleted, an adoption,
    a transition bump the generation, reviews/hooks.py), because each reads every candidate of the phase."""

    def compute():
        return {
            "commitment": commitment(phase),
            "balance": region_balance(phase),
            "pending": pending_decisions(phase).count(),
        }

    return statistics.cached_for_query(f"committee-{phase.pk}", candidates(phase).order_by(), compute)


def pending_decisions(phase):
    """The provisional decisions of the phase that no session has adopted yet."""
    return Decision.objects.provisional().filter(dossier__phase=phase, session__isnull=True)


@transaction.atomic
def adopt(session, *, by):
    """Adopt the list: the phase's provisional decisions not yet in a session join this one and are frozen; the
    minutes' PDF is queued. ProposalRefused for a session already adopted or with no decision to adopt."""
    session = CommitteeSession.objects.select_for_update().select_related("phase__edition").get(pk=session.pk)
    Phase.objects.select_for_update().filter(pk=session.phase_id).first()  # no proposal meanwhile
    if session.status != SessionStatus.OPEN:
        raise ProposalRefused(_("La liste de ce comité est déjà adoptée."))
    taken = pending_decisions(session.phase).update(session=session)
    statistics.invalidate()  # an update sends no post_save: the committee view's cached figures (view_figures)
    if not taken:
        raise ProposalRefused(_("Aucune décision proposée n'attend d'être adoptée pour cette phase."))
    session.status, session.adopted_at, session.adopted_by = SessionStatus.ADOPTED, timezone.now(), by
    session.save(update_fields=["status", "adopted_at", "adopted_by"])
    audit.record(
        audit.AuditAction.LIST_ADOPTION,
        actor=by,
        obj=session,
        details={"decisions": sorted(session.decisions.values_list("pk", flat=True))},
    )
    enqueue("reviews.render_minutes", session_id=session.pk)
    logger.info("Committee session %s adopted by %s (%d decisions)", session.pk, by, taken)
    return session


# The minutes ------------------------------------------------------------------------------------------------------


def session_decisions(session):
    return (
        session.decisions.filter(revoked_at__isnull=True)
        .select_related("dossier__region", "decided_by")
        .order_by("outcome", "dossier__reference")
    )


def minutes_context(session):
    decisions = list(session_decisions(session))
    laureates = [decision for decision in decisions if decision.outcome == DecisionOutcome.LAUREATE]
    total = sum((decision.amount or Decimal(0) for decision in laureates), Decimal(0))
    phase = session.phase
    return {
        "session": session,
        "phase": phase,
        "edition": phase.edition,
        "is_phase2": phase.kind == PhaseKind.PHASE2,
        "laureates": [
            (decision, euros(decision.amount) if decision.amount is not None else "") for decision in laureates
        ],
        "not_retained": [decision for decision in decisions if decision.outcome != DecisionOutcome.LAUREATE],
        "total": euros(total),
        "envelope": euros(phase.envelope) if phase.envelope is not None else "",
        "members": [line.strip() for line in session.members_present.splitlines() if line.strip()],
        "adopted_by": session.adopted_by.display_name if session.adopted_by else "",
        "issued_on": timezone.localdate(),
    }


def render_minutes_html(session):
    """The minutes of an adopted session as HTML, in French: the meeting, the laureates and amounts, the others."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_notice_html(MINUTES_TEMPLATE, minutes_context(session))


def render_minutes(session):
    """Make and store the minutes' PDF of an adopted session (task ``reviews.render_minutes``); idempotent."""
    session = CommitteeSession.objects.select_related("phase__edition", "adopted_by").get(pk=session.pk)
    if session.status == SessionStatus.OPEN or session.minutes:
        return session
    content = html_to_pdf(render_minutes_html(session))
    with transaction.atomic():
        locked_session = CommitteeSession.objects.select_for_update().get(pk=session.pk)
        if locked_session.minutes:
            return locked_session
        locked_session.minutes.save(f"pv-comite-{session.held_on:%Y-%m-%d}.pdf", ContentFile(content), save=False)
        locked_session.save(update_fields=["minutes"])
    logger.info("Minutes of committee session %s stored", session.pk)
    return locked_session


def phase_sessions(phase):
    return CommitteeSession.objects.filter(phase=phase).annotate(
        decision_count=Count("decisions", filter=Q(decisions__revoked_at__isnull=True))
    )


# The committee view ------------------------------------------------------------------------------------------------

# Sortable columns of the committee view: ?o= → the ordering it stands for (the reference breaks ties).
SORTS = {
    "score": "score__value",
    "rank": "regional_opinion__rank",
    "region": "region__name",
    "requested": "requested_amount",
    "reference": "reference",
}
DEFAULT_SORT = "-score"


def candidates(phase):
    """The phase's dossiers the committee decides on (eligible, or decided), with the aid requested (phase 2: the
    budget's AMI_GRANT lines) and, prefetched, their current decision."""
    requested = (
        BudgetLine.objects.filter(dossier=OuterRef("pk"), category=BudgetCategory.AMI_GRANT)
        .order_by()
        .values("dossier")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    current = Decision.objects.current().select_related("session")
    return (
        Dossier.objects.filter(phase=phase, state__in=DossierState.eligible_or_decided())
        .select_related("region", "score", "regional_opinion")
        .annotate(requested_amount=Subquery(requested, output_field=DecimalField()))
        .prefetch_related(Prefetch("decisions", queryset=current, to_attr="current_decisions"))
    )


def sort_key(value):
    return value if (value or "").lstrip("-") in SORTS else DEFAULT_SORT


def ordering(sort):
    field = SORTS[sort.lstrip("-")]
    expression = F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    return [expression, "reference"]


def region_balance(phase):
    """[{region, candidates, laureates, amount}] for the phase (one query): the regional balance of the proposal."""
    laureate = Q(decisions__revoked_at__isnull=True, decisions__outcome=DecisionOutcome.LAUREATE)
    rows = (
        Dossier.objects.filter(phase=phase, state__in=DossierState.eligible_or_decided())
        .values("region__name")
        .annotate(
            candidates=Count("pk", distinct=True),
            laureates=Count("decisions", filter=laureate),
            amount=Sum("decisions__amount", filter=laureate),
        )
        .order_by("region__name")
    )
    return [
        {
            "region": row["region__name"] or _("Région non renseignée"),
            "candidates": row["candidates"],
            "laureates": row["laureates"],
            "amount": row["amount"],
        }
        for row in rows
    ]


def committee_phases():
    """Phases with at least one dossier for the committee, the latest first."""
    dossiers = Dossier.objects.filter(phase=OuterRef("pk"), state__in=DossierState.eligible_or_decided())
    return (
        Phase.objects.filter(Exists(dossiers))
        .select_related("edition")
        .annotate(
            candidate_count=Subquery(
                dossiers.order_by().values("phase").annotate(n=Count("pk")).values("n"),
                output_field=models.IntegerField(),
            )
        )
        .order_by("-edition__year", "kind", "wave")
    )
