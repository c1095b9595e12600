from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from import_export.admin import ImportMixin
from rules.contrib.admin import ObjectPermissionsModelAdmin, ObjectPermissionsTabularInline

from applications.enums import AttachmentKind, DossierState, NoticeStatus
from applications.forms.laureates import IMPORT_FORMATS, LaureateRecordForm, LaureateRecordResource
from applications.models import (
    Dossier,
    DossierTransition,
    Edition,
    Label,
    LaureateRecord,
    Message,
    Notice,
    PaymentStage,
    Phase,
    ReportRequirement,
    Sector,
)
from applications.services import letters, notices
from ptce_ami.accounts.permissions import has_perm
from ptce_ami.core.admin import ReadOnlyMixin, retry_selected
from ptce_ami.core.middleware import accepts_files
from ptce_ami.core.money import euros


class PhaseForm(forms.ModelForm):
    required_attachment_kinds = forms.MultipleChoiceField(
        label=_("Pièces obligatoires"),
        choices=AttachmentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Un dossier de cette phase ne peut pas être déposé sans ces pièces."),
    )

    class Meta:
        model = Phase
        fields = [
            "edition",
            "kind",
            "wave",
            "opens_at",
            "closes_at",
            "envelope",
            "max_laureates",
            "min_grant",
            "max_grant",
            "grant_years",
            "required_attachment_kinds",
            "description",
        ]

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("La date limite doit suivre l'ouverture de la phase."))
        low, high = cleaned.get("min_grant"), cleaned.get("max_grant")
        if low is not None and high is not None and low > high:
            self.add_error(
                "min_grant",
                _("L'aide minimale ne peut pas dépasser l'aide maximale (%(high)s).") % {"high": euros(high)},
            )
        self.check_envelopes(cleaned)
        return cleaned

    def check_envelopes(self, cleaned):
        """A phase's envelope holds at least one minimal grant, and the phases' envelopes fit in the edition's."""
        envelope, edition = cleaned.get("envelope"), cleaned.get("edition") or getattr(self.instance, "edition", None)
        if envelope is None:
            return
        low = cleaned.get("min_grant")
        if low is not None and envelope < low:
            self.add_error(
                "envelope",
                _("L'enveloppe (%(envelope)s) ne couvre pas une aide minimale (%(low)s).")
                % {
                    "envelope": euros(envelope),
                    "low": euros(low),
                },
            )
        if edition is None or edition.envelope is None:
            return
        others = (
            Phase.objects.filter(edition=edition, envelope__isnull=False)
            .exclude(pk=self.instance.pk)
            .aggregate(total=models.Sum("envelope"))["total"]
            or 0
        )
        if others + envelope > edition.envelope:
            self.add_error(
                "envelope",
                _(
                    "Les enveloppes des phases dépasseraient celle de l'édition : %(others)s déjà réservés + "
                    "%(envelope)s > %(edition)s."
                )
                % {"others": euros(others), "envelope": euros(envelope), "edition": euros(edition.envelope)},
            )


class PaymentStageFormSet(forms.BaseInlineFormSet):
    """The tranches of a phase's grants add up to the whole grant."""

    def clean(self):
        super().clean()
        percents = [
            form.cleaned_data["percent"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("percent")
        ]
        if percents and sum(percents) != 100:
            raise forms.ValidationError(
                _("Les parts des tranches font %(total)s %% de l'aide : elles doivent faire 100 %%.")
                % {"total": sum(percents)}
            )


class PaymentStageInline(ObjectPermissionsTabularInline):
    model = PaymentStage
    formset = PaymentStageFormSet
    extra = 0
    fields = ["position", "label", "percent", "condition"]


class ReportRequirementInline(ObjectPermissionsTabularInline):
    model = ReportRequirement
    extra = 0
    fields = ["kind", "due_months"]


class PhaseInline(ObjectPermissionsTabularInline):
    model = Phase
    form = PhaseForm
    extra = 0
    fields = ["kind", "wave", "opens_at", "closes_at", "envelope", "min_grant", "max_grant"]
    show_change_link = True


@admin.register(Edition)
class EditionAdmin(ObjectPermissionsModelAdmin):
    list_display = ["name", "year", "published", "envelope"]
    list_filter = ["published"]
    inlines = [PhaseInline]


@admin.register(Phase)
class PhaseAdmin(ObjectPermissionsModelAdmin):
    form = PhaseForm
    list_display = ["__str__", "kind", "wave", "opens_at", "closes_at", "envelope", "max_grant"]
    list_filter = ["edition", "kind"]
    list_select_related = ["edition"]
    inlines = [PaymentStageInline, ReportRequirementInline]


class SectorRowForm(forms.ModelForm):
    """A row of the sectors' list, whose order is edited in place: the column header is no label, so the input is
    named after its sector."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].widget.attrs["aria-label"] = _("Ordre de « %(sector)s »") % {
            "sector": self.instance.label
        }


@admin.register(Sector)
class SectorAdmin(ObjectPermissionsModelAdmin):
    list_display = ["label", "code", "position"]
    list_editable = ["position"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=SectorRowForm, **kwargs)


class TransitionInline(admin.TabularInline):
    model = DossierTransition
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "by", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


def notice_download_link(notice):
    if notice.status != NoticeStatus.READY or not notice.file:
        return "—"
    url = reverse(
        "applications:notice_download", kwargs={"reference": notice.dossier.reference, "notice_id": notice.pk}
    )
    return format_html('<a href="{}">{}</a>', url, _("Télécharger le PDF"))


class NoticeInline(admin.TabularInline):
    model = Notice
    extra = 0
    can_delete = False
    fields = ["kind", "number", "status", "attempts", "error", "rendered_at", "download"]
    readonly_fields = fields
    ordering = ["kind", "number"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("fichier"))
    def download(self, notice):
        return notice_download_link(notice)


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Support view for administrateurs only: dossiers are read, never edited, here (the workflow is the writer)."""

    list_display = ["reference", "name", "phase", "state", "owner", "region", "submitted_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["state", "phase", "region"]
    list_select_related = ["phase__edition", "owner", "region"]
    search_fields = ["reference", "name", "owner__email", "members__siret"]
    inlines = [TransitionInline, NoticeInline]
    actions = ["issue_decision_letters"]

    @admin.action(description=_("Produire la lettre de décision"))
    def issue_decision_letters(self, request, queryset):
        """A new decision letter (next number) for each decided dossier; the others are named and skipped."""
        issued = 0
        for dossier in queryset.order_by("reference"):
            if dossier.state not in DossierState.decided():
                messages.warning(
                    request,
                    _("%(reference)s : le dossier n'est pas décidé, aucune lettre produite.")
                    % {"reference": dossier.reference},
                )
                continue
            try:
                letters.issue_decision_letter(dossier, by=request.user)
            except letters.LetterRefused as refusal:
                messages.error(request, refusal.message)
            else:
                issued += 1
        if issued:
            messages.success(
                request,
                ngettext(
                    "%(count)d lettre de décision en production : elle apparaît dans les avis PDF du dossier.",
                    "%(count)d lettres de décision en production : elles apparaissent dans les avis PDF des dossiers.",
                    issued,
                )
                % {"count": issued},
            )

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Notice)
class NoticeAdmin(ObjectPermissionsModelAdmin):
    """PDF notices for instructeurs: what was produced, what failed and why; failed ones are queued again here."""

    list_display = ["dossier", "kind", "number", "status", "attempts", "short_error", "rendered_at", "download"]
    list_filter = ["status", "kind"]
    list_select_related = ["dossier"]
    search_fields = ["dossier__reference"]
    ordering = ["-created_at", "-pk"]
    fields = ["dossier", "version", "kind", "number", "status", "attempts", "error", "created_at", "rendered_at"]
    fields += ["sha256", "download"]
    readonly_fields = fields
    actions = ["retry_production"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a notice may have been sent: it is kept

    @admin.display(description=_("dernière erreur"))
    def short_error(self, notice):
        return Truncator(notice.error).chars(80) or "—"

    @admin.display(description=_("fichier"))
    def download(self, notice):
        return notice_download_link(notice)

    @admin.action(description=_("Relancer la production"), permissions=["change"])
    def retry_production(self, request, queryset):
        retry_selected(
            request,
            queryset,
            retryable=~Q(status=NoticeStatus.READY),
            retry=notices.retry,
            retried=ngettext_lazy(
                "%(count)d avis remis en production.", "%(count)d avis remis en production.", "count"
            ),
            kept=ngettext_lazy(
                "%(count)d avis déjà disponible : il n'est pas produit à nouveau.",
                "%(count)d avis déjà disponibles : ils ne sont pas produits à nouveau.",
                "count",
            ),
        )


@admin.register(Label)
class LabelAdmin(ObjectPermissionsModelAdmin):
    """The labels staff put on dossiers: created from a dossier's page, renamed or recoloured here."""

    list_display = ["name", "colour", "dossier_count"]
    search_fields = ["name"]
    fields = ["name", "colour"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(dossier_total=models.Count("dossiers"))

    @admin.display(description=_("dossiers"), ordering="dossier_total")
    def dossier_count(self, label):
        return label.dossier_total


@admin.register(Message)
class MessageAdmin(ReadOnlyMixin, ObjectPermissionsModelAdmin):
    """The messages exchanged on dossiers, read-only: what was said is kept as it was."""

    list_display = ["dossier", "author", "from_staff", "awaiting_reply", "created_at"]
    list_filter = ["from_staff", "awaiting_reply"]
    list_select_related = ["dossier", "author"]
    search_fields = ["dossier__reference", "body"]
    ordering = ["-created_at", "-pk"]
    fields = ["dossier", "author", "from_staff", "awaiting_reply", "created_at", "body"]
    readonly_fields = fields


class SirenKnownFilter(admin.SimpleListFilter):
    title = _("SIREN de la structure porteuse")
    parameter_name = "siren"

    def lookups(self, request, model_admin):
        return [("yes", _("renseigné")), ("no", _("à compléter"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(lead_siren="")
        if self.value() == "no":
            return queryset.filter(lead_siren="")
        return queryset


class ClaimedFilter(admin.SimpleListFilter):
    title = _("réclamé par son porteur")
    parameter_name = "claimed"

    def lookups(self, request, model_admin):
        return [("yes", _("oui")), ("no", _("non"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(claimed_by__isnull=self.value() == "no")
        return queryset


@admin.register(LaureateRecord)
class LaureateRecordAdmin(ImportMixin, ObjectPermissionsModelAdmin):
    """The laureate history behind rule R07 and the phase-1 laureates selected before the platform: State staff add
    the SIREN and the other names, and import lists (CSV/XLSX) after a validated preview."""

    form = LaureateRecordForm
    resource_classes = [LaureateRecordResource]
    import_formats = IMPORT_FORMATS
    import_template_name = "admin/applications/laureaterecord/import.html"
    list_display = ["name", "call", "region_name", "lead_siren", "contact_email", "claimed"]
    list_filter = ["kind", "year", ("region", admin.RelatedOnlyFieldListFilter), SirenKnownFilter, ClaimedFilter]
    list_select_related = ["claimed_by"]
    search_fields = ["name", "aliases", "lead", "lead_siren", "contact_email", "region_name", "call"]
    ordering = ["-year", "name"]
    fieldsets = [
        (None, {"fields": ["name", "aliases", "year", "call", "kind"]}),
        (_("Structure porteuse"), {"fields": ["lead", "lead_siren", "contact_email"]}),
        (_("Région"), {"fields": ["region_name", "region"]}),
        (_("Source"), {"fields": ["source_url", "note"]}),
        (_("Réclamation"), {"fields": ["claimed_by", "claimed_at", "created_at"]}),
    ]
    readonly_fields = ["claimed_by", "claimed_at", "created_at"]

    def has_import_permission(self, request):
        return has_perm(request.user, "applications.import_laureaterecord")

    @accepts_files(1)
    def import_action(self, request, **kwargs):
        """The library keeps the uploaded file until the import is confirmed; a file whose preview cannot be confirmed
        (errors) is removed at once: it may hold porteurs' addresses."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form = context.get("form")
        upload = form.cleaned_data.get("import_file") if form is not None and hasattr(form, "cleaned_data") else None
        stored = getattr(upload, "tmp_storage_name", None)
        if stored and "confirm_form" not in context:
            self.get_tmp_storage_class()(name=stored, **self.get_tmp_storage_class_kwargs()).remove()
        return response

    def get_actions(self, request):
        # Deleting goes through each record's page, where a claimed one is refused (rules).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("réclamé"), boolean=True)
    def claimed(self, record):
        return record.claimed_by_id is not None
