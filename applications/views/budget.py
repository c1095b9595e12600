"""The phase-2 budget and grant steps of the guided form. Nothing typed is lost: a page with an error comes back
with what was typed and the error at its row; a budget that does not balance yet is saved (it is a draft) and
its year totals say what is missing, as the summary page does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.enums import BudgetSide, PhaseKind
from applications.forms.budget import GrantForm, budget_formset, line_initial
from applications.services import budget as budget_services
from applications.services.budget import BudgetChanged
from applications.services.dossiers import DossierNotEditable
from applications.services.steps import get_step
from applications.views.steps import editable_dossier, following_url, not_editable_response, step_context
from ptce_ami.core.money import euros

SIDES = (BudgetSide.CHARGES, BudgetSide.RESOURCES)
ADD = {f"add_{side}": side for side in SIDES}


def phase2_dossier(request, reference, slug):
    dossier, response = editable_dossier(request, reference, slug)
    if response is None and dossier.phase.kind != PhaseKind.PHASE2:
        raise Http404  # phase-1 dossiers have no budget
    return dossier, response


def totals_rows(lines, found):
    """The totals table: each year, then both; each with its amounts and its problems (said at its row)."""
    problems = {**found.years, None: found.total}
    return [
        {
            "total": total,
            "charges": euros(total.charges),
            "resources": euros(total.resources),
            "problems": problems.get(total.year, []),
        }
        for total in budget_services.year_totals(lines)
    ]


def budget_context(dossier, formsets, saved_lines, *, show_problems, fingerprint):
    """The budget step's page: the tables, the grant requested, the saved totals (with their problems once the
    porteur has saved lines), the fingerprint of the lines the page was loaded with."""
    grant_lines, _others = budget_services.split_lines(dossier)
    found = budget_services.check_dossier(dossier, saved_lines) if show_problems else budget_services.BudgetCheck()
    return step_context(
        dossier,
        get_step("budget", PhaseKind.PHASE2),
        formsets=formsets,
        fingerprint=fingerprint,
        grant_lines=[(year, euros(grant_lines[year].amount)) for year in sorted(grant_lines)],
        totals=totals_rows(saved_lines, found),
        balance_problems=found.balance_messages(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def budget_step(request, reference):
    dossier, response = phase2_dossier(request, reference, "budget")
    if response:
        return response
    grant_lines, others = budget_services.split_lines(dossier)
    saved = [*grant_lines.values(), *others]
    if request.method == "POST":
        return save_budget(request, dossier, saved)
    adding = request.GET.get("ajouter")
    formsets = [
        budget_formset(
            side,
            initial=[line_initial(line) for line in others if line.side == side],
            extra_rows=1 if adding == side else 0,
        )
        for side in SIDES
    ]
    fingerprint = budget_services.lines_fingerprint(dossier)
    context = budget_context(dossier, formsets, saved, show_problems=bool(saved), fingerprint=fingerprint)
    return render(request, "applications/budget.html", context)


def save_budget(request, dossier, saved):
    """Nothing typed is lost: lines with errors come back with their errors at their row; a budget saved meanwhile
    by someone else is not overwritten (409, the typed lines kept)."""
    adding = next((side for name, side in ADD.items() if name in request.POST), None)
    expected = request.POST.get("fingerprint") or None  # the page always sends it; a bare post is not checked
    formsets = [budget_formset(side, data=request.POST) for side in SIDES]
    if not all([formset.is_valid() for formset in formsets]):
        if adding:
            formsets = [budget_formset(side, data=request.POST, extra_rows=int(side == adding)) for side in SIDES]
            for formset in formsets:
                formset.is_valid()
        messages.error(request, _("Le budget n'est pas enregistré : corrigez les lignes signalées."))
        fingerprint = expected or budget_services.lines_fingerprint(dossier)
        context = budget_context(dossier, formsets, saved, show_problems=True, fingerprint=fingerprint)
        return render(request, "applications/budget.html", context)
    lines = [line for formset in formsets for line in formset.lines()]
    try:
        budget_services.save_lines(dossier, lines, by=request.user, expected_fingerprint=expected)
    except DossierNotEditable:
        return not_editable_response(request, dossier)
    except BudgetChanged:
        return changed_response(request, dossier, formsets, saved)
    page = reverse("applications:budget", kwargs={"reference": dossier.reference})
    if adding:
        return redirect(f"{page}?ajouter={adding}#{adding}-table")
    if budget_services.check_dossier(dossier).ok:
        messages.success(request, _("Budget enregistré : il est équilibré."))
        return redirect(following_url(request, dossier, get_step("budget", PhaseKind.PHASE2)))
    messages.warning(
        request, _("Budget enregistré, mais il n'est pas encore équilibré : voyez les totaux ci-dessous.")
    )
    return redirect(f"{page}#totaux")


def changed_response(request, dossier, formsets, saved):
    messages.error(
        request,
        _(
            "Quelqu'un a enregistré le budget après que vous l'avez ouvert : votre saisie, ci-dessous, n'est pas "
            "enregistrée. Comparez-la avec le budget enregistré (dans un autre onglet), puis enregistrez à nouveau."
        ),
    )
    fingerprint = budget_services.lines_fingerprint(dossier)
    context = budget_context(dossier, formsets, saved, show_problems=True, fingerprint=fingerprint)
    return render(request, "applications/budget.html", context, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def grant_step(request, reference):
    dossier, response = phase2_dossier(request, reference, "aide")
    if response:
        return response
    step = get_step("aide", PhaseKind.PHASE2)
    grant_lines, _others = budget_services.split_lines(dossier)
    initial = {f"year{year}": line.amount for year, line in grant_lines.items()}
    form = GrantForm(request.POST or None, initial=initial, phase=dossier.phase)
    if request.method == "POST" and form.is_valid():
        try:
            budget_services.save_grant(dossier, form.amounts(), by=request.user)
        except DossierNotEditable:
            return not_editable_response(request, dossier)
        messages.success(request, _("Aide demandée enregistrée."))
        return redirect(following_url(request, dossier, step))
    return render(request, "applications/grant.html", step_context(dossier, step, form=form))
