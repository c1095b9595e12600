"""The reviews app in the Django admin, for instructeurs (permissions in reviews/rules.py): the evaluation grids
and their criteria; assignments (due dates) and the reviewers' declarations of interests; reviews and regional
opinions read-only (they are written through the scoring and opinion pages); the list of PTCE compagnons, and the
requests to the bouquet de services read-only (staff follow them on their pages)."""

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rules.contrib.admin import ObjectPermissionsModelAdmin, ObjectPermissionsTabularInline

from applications.models import Phase
from ptce_ami.core.admin import ReadOnlyAdmin, ReadOnlyMixin
from reviews.forms.assignments import DeclaredOrganisationForm
from reviews.models import (
    Assignment,
    BouquetRequest,
    BouquetRequestChange,
    CommitteeSession,
    Compagnon,
    Criterion,
    Decision,
    DeclaredOrganisation,
    FollowUpSession,
    Grant,
    GrantEvent,
    Grid,
    Payment,
    ProgressReport,
    RegionalOpinion,
    Review,
    ReviewerDeclaration,
    Score,
)
from reviews.services import conflicts

# Grids ---------------------------------------------------------------------------------------------------------


class CriterionInline(ObjectPermissionsTabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "label", "guidance", "weight"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}


class CopyToPhaseForm(forms.Form):
    phase = forms.ModelChoiceField(
        label=_("Phase"),
        queryset=Phase.objects.filter(grid__isnull=True).select_related("edition"),
        help_text=_("Seules les phases sans grille propre sont proposées."),
    )


@admin.register(Grid)
class GridAdmin(ObjectPermissionsModelAdmin):
    list_display = ["name", "phase_kind", "phase", "proposal_mark", "weight_total", "aggregation"]
    list_filter = ["phase_kind", "is_proposal"]
    list_select_related = ["phase__edition"]
    fields = [
        "name",
        "phase_kind",
        "phase",
        "is_proposal",
        "aggregation",
        "discordance_threshold",
        "levels",
        "weight_total",
    ]
    readonly_fields = ["weight_total"]
    inlines = [CriterionInline]
    actions = ["copy_to_phase"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("criteria")

    @admin.display(description=_("proposition"), boolean=False)
    def proposal_mark(self, grid):
        if grid.is_proposal:
            return format_html('<strong class="ptce-admin-proposal">{}</strong>', _("Proposition à valider"))
        return "—"

    @admin.display(description=_("poids total"))
    def weight_total(self, grid):
        return grid.total_weight if grid.pk else "—"

    @admin.action(description=_("Copier sur une phase"), permissions=["add"])
    def copy_to_phase(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choisissez une seule grille à copier."), messages.WARNING)
            return None
        grid = queryset.get()
        form = CopyToPhaseForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            copy = copy_grid(grid, form.cleaned_data["phase"])
            self.message_user(
                request,
                _("Grille copiée sur la phase « %(phase)s » : adaptez-la.") % {"phase": copy.phase},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Copier la grille sur une phase"),
            "grid": grid,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "reviews/assignments/admin_copy_grid.html", context)


def copy_grid(grid, phase):
    with transaction.atomic():
        criteria = list(grid.criteria.all())
        copy = Grid.objects.create(
            name=f"{grid.name} — {phase}"[:150],
            phase_kind=phase.kind,
            phase=phase,
            is_proposal=grid.is_proposal,
            aggregation=grid.aggregation,
            discordance_threshold=grid.discordance_threshold,
            levels=list(grid.levels),
        )
        Criterion.objects.bulk_create(
            Criterion(grid=copy, position=c.position, label=c.label, guidance=c.guidance, weight=c.weight)
            for c in criteria
        )
    return copy


# Assignments and declarations ----------------------------------------------------------------------------------


@admin.register(Assignment)
class AssignmentAdmin(ObjectPermissionsModelAdmin):
    list_display = ["dossier", "reviewer", "status", "due_at", "assigned_at", "assigned_by"]
    list_filter = ["status", "dossier__phase"]
    list_select_related = ["dossier", "reviewer", "assigned_by"]
    search_fields = ["dossier__reference", "dossier__name", "reviewer__email", "reviewer__last_name"]
    fields = [
        "dossier",
        "reviewer",
        "status",
        "due_at",
        "assigned_by",
        "assigned_at",
        "batch",
        "no_conflict_confirmed_at",
        "conflict_declared_at",
        "conflict_reason",
    ]
    readonly_fields = [name for name in fields if name != "due_at"]

    def has_add_permission(self, request):
        return False  # through the assignment pages, which check conflicts of interest


class DeclaredOrganisationInline(ObjectPermissionsTabularInline):
    model = DeclaredOrganisation
    form = DeclaredOrganisationForm
    extra = 0
    fields = ["name", "siret", "siren"]
    readonly_fields = ["siren"]


@admin.register(ReviewerDeclaration)
class ReviewerDeclarationAdmin(ObjectPermissionsModelAdmin):
    list_display = ["reviewer", "edition", "declared_at", "organisation_count"]
    list_filter = ["edition"]
    list_select_related = ["reviewer", "edition"]
    search_fields = ["reviewer__email", "reviewer__last_name", "organisations__siret", "organisations__name"]
    fields = ["reviewer", "edition", "declared_at", "regions", "other_interests"]
    readonly_fields = ["reviewer", "edition", "declared_at"]
    filter_horizontal = ["regions"]
    inlines = [DeclaredOrganisationInline]

    def has_add_permission(self, request):
        return False  # each reviewer declares on their page

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("organisations")

    @admin.display(description=_("organisations"))
    def organisation_count(self, declaration):
        return len(declaration.organisations.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        conflicted = conflicts.apply_declaration(form.instance)
        if conflicted:
            self.message_user(
                request,
                ngettext(
                    "%(count)d affectation devient un conflit d'intérêts détecté.",
                    "%(count)d affectations deviennent des conflits d'intérêts détectés.",
                    len(conflicted),
                )
                % {"count": len(conflicted)},
                messages.WARNING,
            )


# Reviews and regional opinions, read-only ----------------------------------------------------------------------


class ScoreInline(ReadOnlyMixin, ObjectPermissionsTabularInline):
    model = Score
    extra = 0
    fields = ["criterion", "value", "comment"]
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyMixin, ObjectPermissionsModelAdmin):
    list_display = ["dossier", "reviewer", "status", "recommendation", "total", "submitted_at"]
    list_filter = ["status", "recommendation"]
    list_select_related = ["dossier", "assignment__reviewer"]
    search_fields = ["dossier__reference", "dossier__name"]
    inlines = [ScoreInline]

    @admin.display(description=_("évaluateur"))
    def reviewer(self, review):
        return review.assignment.reviewer


@admin.register(RegionalOpinion)
class RegionalOpinionAdmin(ReadOnlyMixin, ObjectPermissionsModelAdmin):
    list_display = ["dossier", "region", "opinion", "rank", "author", "updated_at"]
    list_filter = ["region", "opinion"]
    list_select_related = ["dossier", "region", "author"]
    search_fields = ["dossier__reference", "dossier__name"]


# The bouquet de services ---------------------------------------------------------------------------------------


@admin.register(Compagnon)
class CompagnonAdmin(ObjectPermissionsModelAdmin):
    list_display = ["name", "region", "active", "request_count"]
    list_filter = ["active", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "topics", "note"]
    fields = ["name", "region", "contact_email", "topics", "active", "source_url", "note"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(request_total=models.Count("requests"))

    @admin.display(description=_("demandes"), ordering="request_total")
    def request_count(self, compagnon):
        return compagnon.request_total


class BouquetRequestChangeInline(ReadOnlyMixin, ObjectPermissionsTabularInline):
    model = BouquetRequestChange
    extra = 0
    fields = ["at", "by", "from_status", "to_status", "compagnon"]
    readonly_fields = fields


@admin.register(BouquetRequest)
class BouquetRequestAdmin(ReadOnlyMixin, ObjectPermissionsModelAdmin):
    list_display = ["dossier", "service", "status", "compagnon", "requested_at", "updated_at"]
    list_filter = ["status", "service", "dossier__region"]
    list_select_related = ["dossier", "compagnon"]
    search_fields = ["dossier__reference", "dossier__name"]
    inlines = [BouquetRequestChangeInline]


# The selection and the grants: read-only (written by the committee's, the publication's and the grants' pages) -----


@admin.register(CommitteeSession)
class CommitteeSessionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "phase", "held_on", "status", "adopted_at", "published_at"]
    list_filter = ["status", "phase__edition"]
    list_select_related = ["phase__edition"]
    fields = ["phase", "held_on", "status", "members_present", "notes", "adopted_at", "adopted_by", "minutes"]
    fields += ["published_at", "published_by"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "outcome", "amount", "decided_at", "published_at", "revoked_at"]
    list_filter = ["outcome", "dossier__phase__edition", "dossier__phase__kind"]
    list_select_related = ["dossier"]
    search_fields = ["dossier__reference", "dossier__name"]
    fields = ["dossier", "session", "outcome", "amount", "motivation", "decided_by", "decided_at"]
    fields += ["published_by", "published_at", "revoked_by", "revoked_at", "revoke_motivation"]


class PaymentInline(ReadOnlyMixin, ObjectPermissionsTabularInline):
    model = Payment
    extra = 0
    fields = ["position", "label", "percent", "amount", "condition", "status", "paid_on"]
    readonly_fields = fields


class ProgressReportInline(ReadOnlyMixin, ObjectPermissionsTabularInline):
    model = ProgressReport
    extra = 0
    fields = ["kind", "due_on", "status", "submitted_at", "reviewed_at"]
    readonly_fields = fields


class FollowUpSessionInline(ReadOnlyMixin, ObjectPermissionsTabularInline):
    model = FollowUpSession
    extra = 0
    fields = ["held_on", "attendees", "notes"]
    readonly_fields = fields


class GrantEventInline(ReadOnlyMixin, ObjectPermissionsTabularInline):
    model = GrantEvent
    extra = 0
    fields = ["at", "kind", "by", "detail"]
    readonly_fields = fields


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "amount", "status", "agreement_signed_on", "year3_decision"]
    list_filter = ["status", "dossier__phase__edition", "dossier__region"]
    list_select_related = ["dossier"]
    search_fields = ["dossier__reference", "dossier__name"]
    fields = ["dossier", "decision", "amount", "agreement_signed_on", "status", "suspended_at"]
    fields += ["suspension_motivation", "year3_decision", "year3_amount", "year3_motivation", "year3_decided_at"]
    inlines = [PaymentInline, ProgressReportInline, FollowUpSessionInline, GrantEventInline]
