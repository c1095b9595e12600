"""Rules on earlier calls: R07 (not already funded, décret 2015-431, art. 3, 6°) and R08 (phase-1 prerequisite)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.eligibility.rules.base import (
    AMI_TEXTS,
    DECREE,
    failed,
    format_siren,
    label_of,
    lower_first,
    name_of,
    not_applicable,
    passed,
    rule,
    siren_of,
    warning,
    worst,
)
from applications.enums import DossierState, PhaseKind

# A phase-1 dossier of the same edition still in the running (filed together with the phase-2 one).
PHASE1_IN_RUNNING = set(DossierState.in_the_running())


def name_messages(history, value, already):
    messages = []
    for match in history.by_name(value):
        if match.laureate in already:
            continue
        already.add(match.laureate)
        values = {"edition": match.laureate.edition, "name": match.laureate.name, "lead": match.laureate.lead}
        if match.on_lead:
            message = _(
                "Nom proche de la structure porteuse d'un lauréat de l'%(edition)s : « %(lead)s », pour "
                "« %(name)s » — à vérifier."
            )
        else:
            message = _("Nom proche d'un lauréat de l'%(edition)s : « %(name)s » — à vérifier.")
        messages.append(message % values)
    return messages


@rule(
    "R07",
    gettext_lazy("Pas de financement antérieur de l'État au titre des PTCE"),
    f"{DECREE}, 6°",
    draft_computable=True,
)
def not_already_funded(context):
    history, lead = context.history, context.lead
    fails, warnings, matched = [], [], set()
    for member in context.members:
        for laureate in history.by_siren(siren_of(member)):
            matched.add(laureate)
            values = {
                "name": name_of(member),
                "siren": format_siren(siren_of(member)),
                "edition": laureate.edition,
                "laureate": laureate.name,
            }
            if member is lead:
                fails.append(
                    _(
                        "La structure porteuse, %(name)s (SIREN %(siren)s), a déjà été financée comme "
                        "lauréate de l'%(edition)s : « %(laureate)s »."
                    )
                    % values
                )
            else:
                warnings.append(
                    _(
                        "Le membre %(name)s (SIREN %(siren)s) a déjà été financé comme lauréat de "
                        "l'%(edition)s : « %(laureate)s » — à vérifier."
                    )
                    % values
                )
    # Names are compared only with laureates whose SIREN the history does not know.
    matched |= {laureate for laureate in history.funded() if laureate.siren}
    for value in (context.dossier.name, lead.name if lead else ""):
        warnings.extend(name_messages(history, value, matched))
    message = _(
        "Ni le SIREN des membres ni le nom du pôle ou de la structure porteuse ne correspondent à un lauréat "
        "déjà financé (historique : %(editions)s)."
    )
    return worst(fails, warnings, passed(message % {"editions": ", ".join(history.funded_editions())}))


@rule(
    "R08",
    gettext_lazy("Phase 2 : pôle lauréat de la phase 1 ou dossier de phase 1 déposé"),
    AMI_TEXTS,
    draft_computable=False,
)
def phase1_prerequisite(context):
    if context.phase.kind != PhaseKind.PHASE2:
        return not_applicable(_("Ce critère ne concerne que la phase 2."))
    previous = context.continued
    if previous is None and context.prior_laureate is not None:
        return prior_laureate_verdict(context.prior_laureate)
    if previous is None:
        return no_phase1_dossier(context)
    values = {"reference": previous.reference, "edition": previous.phase.edition.name}
    if previous.phase.kind != PhaseKind.PHASE1:
        return failed(_("Le dossier poursuivi, %(reference)s, n'est pas un dossier de phase 1.") % values)
    if previous.state == DossierState.LAUREATE:
        return passed(_("Le pôle est lauréat de la phase 1 (%(reference)s, %(edition)s).") % values)
    if previous.phase.edition_id != context.phase.edition_id:
        return failed(
            _("Le dossier de phase 1 %(reference)s relève d'une autre édition (%(edition)s) et n'est pas lauréat.")
            % values
        )
    if previous.state in PHASE1_IN_RUNNING:
        return passed(_("Le dossier de phase 1 %(reference)s est déposé dans la même édition (%(edition)s).") % values)
    if previous.state == DossierState.DRAFT:
        return failed(_("Le dossier de phase 1 %(reference)s n'est pas encore déposé.") % values)
    values["state"] = lower_first(label_of(DossierState, previous.state))
    return failed(_("Le dossier de phase 1 %(reference)s n'est plus en lice (%(state)s).") % values)


def prior_laureate_verdict(record):
    """A phase-1 laureate selected before the platform, claimed by its porteur (LaureateRecord)."""
    values = {"name": record.name, "call": record.call, "year": record.year}
    if record.is_phase1_laureate:
        return passed(
            _("Le pôle est lauréat de la phase 1 : « %(name)s », %(call)s (historique des lauréats).") % values
        )
    return failed(
        _("« %(name)s » (%(call)s) figure dans l'historique des lauréats, mais pas comme lauréat de la phase 1.")
        % values
    )


def no_phase1_dossier(context):
    message = _(
        "Le dossier n'est rattaché à aucun dossier de phase 1 : le pôle doit être lauréat de la phase 1 ou "
        "déposer son dossier de phase 1 dans la même édition."
    )
    lead = context.lead
    values = (context.dossier.name, lead.name if lead else "")
    matches = [match for value in values for match in context.history.by_name(value, keep=is_ami_laureate)]
    if not matches:
        return failed(message)
    laureate = matches[0].laureate
    return warning(
        message,
        _("Nom proche d'un lauréat de la phase 1 de l'%(edition)s : « %(name)s » — à vérifier.")
        % {"edition": laureate.edition, "name": laureate.name},
    )


def is_ami_laureate(laureate):
    """Phase-1 laureates of the AMI, and phase-2 ones (chosen among phase-1 laureates)."""
    return laureate.is_ami
