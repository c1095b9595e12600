"""Rules on the members of the pôle: R01–R05 (décret 2015-431, art. 3, 1° and 2°) and R12 (identification).

R01 and R03–R05 judge the declared data, then compare it with the members' official data (rules/official.py): a
mismatch is a warning that explains itself."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from applications.eligibility.laureates import name_key
from applications.eligibility.rules.base import (
    AMI_TEXTS,
    DECREE,
    LAW_ART1,
    LAW_ART9,
    failed,
    format_siren,
    label_of,
    lower_first,
    name_of,
    names,
    names_and,
    not_applicable,
    passed,
    rule,
    siren_of,
    warning,
    worst,
)
from applications.eligibility.rules.official import (
    art9_mismatches,
    enterprise_mismatches,
    ess_mismatches,
    lead_mismatches,
    with_official,
)
from applications.enums import OTHER_ART9_CATEGORIES, EssLegalForm, MemberCategory
from ptce_ami.core.siret import compact, format_siret, validate_siret

SIRET_PROBLEMS = {
    "siret_invalid_checksum": gettext_lazy("clé de contrôle"),
    "siret_invalid_siren": gettext_lazy("SIREN incorrect"),
    "siret_invalid_length": gettext_lazy("14 chiffres attendus"),
    "siret_invalid_format": gettext_lazy("caractères autres que des chiffres"),
}


def is_ess_enterprise(member):
    return member.category == MemberCategory.ESS_ENTERPRISE and bool(member.ess_legal_form)


def with_form(member):
    return f"{name_of(member)} ({lower_first(label_of(EssLegalForm, member.ess_legal_form))})"


def with_category(member):
    return f"{name_of(member)} ({lower_first(label_of(MemberCategory, member.category))})"


def without_siret_others(members):
    return [member for member in members if member.category == MemberCategory.OTHER and not compact(member.siret)]


@rule("R01", gettext_lazy("Structure porteuse de droit privé"), f"{DECREE}, 1°", draft_computable=True)
def lead_is_private_law_person(context):
    lead = context.lead
    declared = lead_declared_private(lead)
    return with_official(declared, [lead] if lead else [], lead_mismatches)


def lead_declared_private(lead):
    if lead is None:
        return failed(_("La structure porteuse n'est pas renseignée."))
    values = {"name": name_of(lead), "category": label_of(MemberCategory, lead.category)}
    if lead.category == MemberCategory.COLLECTIVITE:
        return failed(
            _(
                "La structure porteuse, %(name)s, est une collectivité territoriale ou un groupement : ce n'est pas "
                "une personne morale de droit privé."
            )
            % values
        )
    if lead.ess_legal_form:
        values["form"] = lower_first(label_of(EssLegalForm, lead.ess_legal_form))
        message = _("La structure porteuse, %(name)s, est une personne morale de droit privé (%(form)s).")
        return passed(message % values)
    if lead.category in (MemberCategory.RESEARCH, MemberCategory.HIGHER_EDUCATION):
        return warning(
            _(
                "La structure porteuse, %(name)s, relève de la catégorie « %(category)s » : à vérifier, un "
                "établissement public n'est pas une personne morale de droit privé."
            )
            % values
        )
    return passed(
        _(
            "La structure porteuse, %(name)s, relève de la catégorie « %(category)s », compatible avec une personne "
            "morale de droit privé."
        )
        % values
    )


def legal_person_keys(members):
    """Members grouped by legal person: by SIREN when a SIRET is given, else one person per member."""
    groups = defaultdict(list)
    for member in members:
        groups[siren_of(member) or ("member", id(member))].append(member)
    return groups


@rule("R02", gettext_lazy("Au moins trois personnes morales"), f"{DECREE}, 2°", draft_computable=True)
def at_least_three_legal_persons(context):
    groups = legal_person_keys(context.members)
    count = len(groups)
    messages = []
    if count == 0:
        messages.append(_("Le pôle ne réunit aucune personne morale ; il en faut au moins 3."))
    elif count < 3:
        messages.append(
            ngettext(
                "Le pôle réunit %(count)d personne morale ; il en faut au moins 3.",
                "Le pôle réunit %(count)d personnes morales ; il en faut au moins 3.",
                count,
            )
            % {"count": count}
        )
    else:
        messages.append(
            ngettext(
                "Le pôle réunit %(count)d personne morale (au moins 3 requises).",
                "Le pôle réunit %(count)d personnes morales (au moins 3 requises).",
                count,
            )
            % {"count": count}
        )
    for key, members in groups.items():
        if len(members) > 1:
            messages.append(
                _("%(names)s ont le même SIREN (%(siren)s) et comptent pour une seule personne morale.")
                % {"names": names_and(members), "siren": format_siren(key)}
            )
    unidentified = without_siret_others(context.members)
    if unidentified:
        messages.append(
            ngettext(
                "%(names)s, sans SIRET (catégorie « Autre personne physique ou morale »), est compté : à vérifier "
                "qu'il s'agit d'une personne morale.",
                "%(names)s, sans SIRET (catégorie « Autre personne physique ou morale »), sont comptés : à vérifier "
                "qu'il s'agit de personnes morales.",
                len(unidentified),
            )
            % {"names": names(unidentified)}
        )
    if count < 3:
        return failed(*messages)
    # The three are reached only thanks to members that may be natural persons.
    if count - len(unidentified) < 3:
        return warning(*messages)
    return passed(*messages)


@rule("R03", gettext_lazy("Au moins une entreprise de l'ESS"), f"{DECREE}, 2° ; {LAW_ART1}", draft_computable=True)
def at_least_one_ess_enterprise(context):
    declared_ess = [member for member in context.members if member.category == MemberCategory.ESS_ENTERPRISE]
    return with_official(ess_declared(context), declared_ess, ess_mismatches)


def ess_declared(context):
    ess = [member for member in context.members if is_ess_enterprise(member)]
    if ess:
        return passed(
            ngettext(
                "%(count)d entreprise de l'ESS parmi les membres : %(names)s.",
                "%(count)d entreprises de l'ESS parmi les membres : %(names)s.",
                len(ess),
            )
            % {"count": len(ess), "names": ", ".join(with_form(member) for member in ess)}
        )
    undeclared = [member for member in context.members if member.category == MemberCategory.ESS_ENTERPRISE]
    if undeclared:
        return warning(
            ngettext(
                "%(names)s est déclarée entreprise de l'ESS sans forme juridique de l'ESS indiquée : à vérifier "
                "(art. 1 de la loi ESS).",
                "%(names)s sont déclarées entreprises de l'ESS sans forme juridique de l'ESS indiquée : à vérifier "
                "(art. 1 de la loi ESS).",
                len(undeclared),
            )
            % {"names": names(undeclared)}
        )
    return failed(_("Aucune entreprise de l'ESS parmi les membres (art. 1 de la loi ESS)."))


@rule("R04", gettext_lazy("Au moins une entreprise hors ESS"), f"{DECREE}, 2°", draft_computable=True)
def at_least_one_other_enterprise(context):
    enterprises = [member for member in context.members if member.category == MemberCategory.ENTERPRISE]
    if not enterprises:
        return failed(_("Aucune entreprise hors ESS parmi les membres."))
    declared = passed(
        ngettext(
            "%(count)d entreprise hors ESS parmi les membres : %(names)s.",
            "%(count)d entreprises hors ESS parmi les membres : %(names)s.",
            len(enterprises),
        )
        % {"count": len(enterprises), "names": names(enterprises)}
    )
    return with_official(declared, enterprises, enterprise_mismatches)


@rule(
    "R05", gettext_lazy("Au moins un autre acteur de l'article 9"), f"{DECREE}, 2° ; {LAW_ART9}", draft_computable=True
)
def at_least_one_other_art9_actor(context):
    actors = [member for member in context.members if member.category in OTHER_ART9_CATEGORIES]
    return with_official(art9_declared(context, actors), actors, art9_mismatches)


def art9_declared(context, actors):
    if actors:
        return passed(
            ngettext(
                "%(count)d autre acteur de l'art. 9 parmi les membres : %(names)s.",
                "%(count)d autres acteurs de l'art. 9 parmi les membres : %(names)s.",
                len(actors),
            )
            % {"count": len(actors), "names": ", ".join(with_category(member) for member in actors)}
        )
    none = _(
        "Aucune collectivité, centre de recherche, établissement d'enseignement supérieur ni organisme de "
        "formation parmi les membres"
    )
    others = [member for member in context.members if member.category == MemberCategory.OTHER]
    if others:
        return warning(
            _(
                "%(none)s ; %(names)s (catégorie « Autre personne physique ou morale ») peut relever de « toute autre "
                "personne physique ou morale » de l'art. 9 : à vérifier."
            )
            % {"none": none, "names": names(others)}
        )
    return failed(_("%(none)s (art. 9 de la loi ESS).") % {"none": none})


def siret_problem(member):
    if not compact(member.siret):
        if member.category == MemberCategory.OTHER:
            return None
        return _("Le SIRET de %(name)s n'est pas renseigné.") % {"name": name_of(member)}
    try:
        validate_siret(member.siret)
    except ValidationError as error:
        problem = SIRET_PROBLEMS.get(error.code, _("format incorrect"))
        values = {"name": name_of(member), "problem": problem}
        return _("Le SIRET de %(name)s n'est pas valide (%(problem)s).") % values
    return None


def duplicates(members):
    """Sentences for members listed more than once: same SIRET, or same name when one of them has no SIRET."""
    by_siret, by_name = defaultdict(list), defaultdict(list)
    for member in members:
        if compact(member.siret):
            by_siret[compact(member.siret)].append(member)
        by_name[name_key(member.name) or member.name].append(member)
    messages = []
    for siret, group in by_siret.items():
        if len(group) > 1:
            messages.append(times(group, _("SIRET %(siret)s") % {"siret": format_siret(siret)}))
    for group in by_name.values():
        if len(group) > 1 and any(not compact(member.siret) for member in group) and group[0].name:
            messages.append(times(group, _("même nom, sans SIRET")))
    return messages


def times(group, reason):
    values = {"name": name_of(group[0]), "count": len(group), "reason": reason}
    if len(group) == 2:
        return _("La structure %(name)s figure deux fois (%(reason)s).") % values
    return _("La structure %(name)s figure %(count)d fois (%(reason)s).") % values


def shared_sirens(members):
    """Warnings for distinct SIRET of one SIREN: two establishments of one legal person."""
    groups = defaultdict(set)
    for member in members:
        if siren_of(member):
            groups[siren_of(member)].add(compact(member.siret))
    by_siren = defaultdict(list)
    for member in members:
        if len(groups.get(siren_of(member), ())) > 1:
            by_siren[siren_of(member)].append(member)
    return [
        _("%(names)s ont le même SIREN (%(siren)s) : deux établissements d'une même personne morale, à vérifier.")
        % {"names": names_and(group), "siren": format_siren(siren)}
        for siren, group in by_siren.items()
    ]


@rule("R12", gettext_lazy("SIRET valides et aucun membre en double"), AMI_TEXTS, draft_computable=True)
def valid_and_unique_sirets(context):
    members = context.members
    if not members:
        return not_applicable(_("Aucun membre n'est encore renseigné."))
    fails = [problem for member in members if (problem := siret_problem(member))] + duplicates(members)
    count = sum(1 for member in members if compact(member.siret))
    return worst(
        fails,
        shared_sirens(members),
        passed(
            ngettext(
                "Le SIRET renseigné est valide et aucun membre ne figure deux fois.",
                "Les %(count)d SIRET renseignés sont valides et aucun membre ne figure deux fois.",
                count,
            )
            % {"count": count}
            if count
            else _("Aucun membre ne figure deux fois ; aucun SIRET n'est renseigné (catégorie « Autre »).")
        ),
    )
