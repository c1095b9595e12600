"""Forms of evaluation: a review on the grid (a level and a comment per criterion, a recommendation), and the
regional opinion with its rank."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext_lazy as _

from ptce_ami.core.forms import BaseForm, BaseModelForm
from reviews.models import Opinion, Recommendation, RegionalOpinion
from reviews.services.evaluation import ReviewInput, rank_holder


def level_choices(grid):
    levels = list(grid.levels or [])
    return [(str(value), f"{value} — {levels[value]}" if value < len(levels) else str(value)) for value in range(5)]


class ReviewForm(BaseForm):
    """One level (radio buttons) and one comment per criterion, then the recommendation and a general comment.

    A draft may leave anything empty; with ``submitting`` every level and the recommendation are required,
    each missing one gets its message next to it.
    """

    recommendation = forms.ChoiceField(
        label=_("Recommandation"),
        choices=Recommendation.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Appréciation générale"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Les points forts, les points de vigilance et ce qui fonde votre recommandation."),
    )

    def __init__(self, *args, grid, review=None, submitting=False, **kwargs):
        self.criteria = list(grid.criteria.all())
        self.submitting = submitting
        kwargs.setdefault("initial", initial_from(review))
        super().__init__(*args, **kwargs)
        choices = level_choices(grid)
        items = []
        for criterion in self.criteria:
            level, comment = f"level_{criterion.pk}", f"comment_{criterion.pk}"
            self.fields[level] = forms.TypedChoiceField(
                label=criterion.label,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                help_text=criterion_hint(criterion),
            )
            self.fields[comment] = forms.CharField(
                label=_("Commentaire sur « %(criterion)s »") % {"criterion": criterion.label},
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[level].required_later = True  # needed to submit, not to save a draft
            items.append(Div(InlineRadios(level), Field(comment), css_id=f"critere-{criterion.pk}"))
        self.fields["recommendation"].required_later = True
        per_criterion = [
            name for criterion in self.criteria for name in (f"level_{criterion.pk}", f"comment_{criterion.pk}")
        ]
        self.order_fields([*per_criterion, "recommendation", "comment"])
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Notes par critère"), *items),
            Fieldset(_("Avis d'ensemble"), InlineRadios("recommendation"), "comment"),
        )

    def clean(self):
        cleaned = super().clean()
        if not self.submitting:
            return cleaned
        for criterion in self.criteria:
            name = f"level_{criterion.pk}"
            if cleaned.get(name) is None and name not in self.errors:
                self.add_error(name, _("Choisissez un niveau pour ce critère avant de rendre l'évaluation."))
        if not cleaned.get("recommendation") and "recommendation" not in self.errors:
            self.add_error("recommendation", _("Choisissez une recommandation avant de rendre l'évaluation."))
        return cleaned

    def review_input(self):
        """What the form holds, for the service: the fields that validated (a draft keeps what it can)."""
        data = getattr(self, "cleaned_data", {})
        return ReviewInput(
            levels={criterion.pk: data.get(f"level_{criterion.pk}") for criterion in self.criteria},
            comments={criterion.pk: data.get(f"comment_{criterion.pk}") or "" for criterion in self.criteria},
            recommendation=data.get("recommendation") or "",
            comment=data.get("comment") or "",
        )

    def add_missing_errors(self, incomplete):
        """Errors of a submission the service refused (another tab may have changed things meanwhile)."""
        for criterion in incomplete.missing_criteria:
            self.add_error(
                f"level_{criterion.pk}", _("Choisissez un niveau pour ce critère avant de rendre l'évaluation.")
            )
        if incomplete.missing_recommendation:
            self.add_error("recommendation", _("Choisissez une recommandation avant de rendre l'évaluation."))


def criterion_hint(criterion):
    """The criterion's guidance and weight (the pack renders help texts as HTML: the guidance is escaped)."""
    weight = _("Poids : %(weight)s.") % {"weight": criterion.weight}
    if criterion.guidance:
        return format_html("{} {}", conditional_escape(criterion.guidance), weight)
    return weight


def initial_from(review):
    if review is None:
        return {}
    initial = {"recommendation": review.recommendation, "comment": review.comment}
    for score in review.scores.all():
        initial[f"level_{score.criterion_id}"] = "" if score.value is None else str(score.value)
        initial[f"comment_{score.criterion_id}"] = score.comment
    return initial


class RegionalOpinionForm(BaseModelForm):
    """The region's opinion on a dossier and its rank among the region's dossiers of the same phase."""

    rank = forms.IntegerField(
        label=_("Rang dans la région"),
        min_value=1,
        max_value=999,
        help_text=_("1 pour le dossier que la région place en tête, parmi ses dossiers de la même phase."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Indiquez le rang du dossier dans la région.")},
    )
    shift = forms.BooleanField(
        label=_("Si ce rang est déjà attribué, décaler d'un rang le dossier qui l'occupe et ceux qui le suivent."),
        required=False,
    )

    class Meta:
        model = RegionalOpinion
        fields = ["opinion", "text", "rank"]
        widgets = {"opinion": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 8})}
        labels = {"opinion": _("Avis de la région"), "text": _("Motivation de l'avis")}
        error_messages = {
            "opinion": {"required": _("Choisissez un avis.")},
            "text": {"required": _("Motivez l'avis de la région.")},
        }

    def __init__(self, *args, dossier, **kwargs):
        self.dossier = dossier
        super().__init__(*args, **kwargs)
        self.fields["opinion"].choices = Opinion.choices
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(InlineRadios("opinion"), "text", "rank", "shift")

    def clean(self):
        cleaned = super().clean()
        holder = rank_holder(self.dossier, cleaned.get("rank"))
        if holder is not None and not cleaned.get("shift"):
            self.add_error("rank", rank_taken_message(holder))
        return cleaned


def rank_taken_message(holder):
    return _(
        "Le rang %(rank)s est déjà attribué au dossier %(reference)s (%(name)s). Choisissez un autre rang, ou "
        "cochez la case ci-dessous pour décaler ce dossier et les suivants."
    ) % {"rank": holder.rank, "reference": holder.dossier.reference, "name": holder.dossier.display_name}
