"""The members' official data (what the company directory said at submission, services.official_data) against what
the porteur declared, for rules R01, R03, R04 and R05.

A mismatch is a warning with its explanation, never a failure: the directory is a hint (its ESS flag comes from ESS
France and INSEE; no legal category identifies a SCIC SAS nor a société commerciale de l'ESS), and staff decide.
Members the directory could not be read for are named (the rule keeps working on the declared data); members never
looked up (a draft, the lookup switched off) are passed over in silence.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.eligibility.results import RuleStatus, verdict
from applications.eligibility.rules.base import label_of, lower_first, name_of, names
from applications.enums import OTHER_ART9_CATEGORIES, EssLegalForm, MemberCategory
from ptce_ami.core.companies import CompanyInfo, ess_legal_form_from_code
from ptce_ami.core.dates import day_month_year
from ptce_ami.core.siret import compact, format_siret

FOUND, NOT_FOUND, UNAVAILABLE = "found", "not_found", "unavailable"

# ESS legal forms by family: a SCOP declared where the code says "other cooperative" is no mismatch.
FAMILIES = {
    EssLegalForm.ASSOCIATION: "association",
    EssLegalForm.COOPERATIVE_SCOP: "cooperative",
    EssLegalForm.COOPERATIVE_SCIC: "cooperative",
    EssLegalForm.COOPERATIVE_OTHER: "cooperative",
    EssLegalForm.MUTUELLE: "mutuelle",
    EssLegalForm.FONDATION: "fondation",
    EssLegalForm.COMMERCIAL_ESS: "societe",
}
# Forms that always have a legal category of their own (92xx, 9300, 6411/82xx): a code outside them contradicts the
# declaration. A SCIC or a SCOP may be a plain SAS (5710) and a société commerciale de l'ESS any company.
FORMS_WITH_THEIR_CODES = (EssLegalForm.ASSOCIATION, EssLegalForm.FONDATION, EssLegalForm.MUTUELLE)


@dataclass(frozen=True)
class Official:
    status: str  # found, not_found, unavailable, or "" when never looked up
    company: CompanyInfo | None = None

    @property
    def found(self):
        return self.company is not None


def official(member):
    """What the directory said of the member's SIRET; nothing when the porteur changed the SIRET since (the data
    was of another establishment: the next submission reads the new one)."""
    data = member.official_data or {}
    status = data.get("status", "")
    if data.get("siret", compact(member.siret)) != compact(member.siret):
        return Official("")
    if status == FOUND:
        return Official(FOUND, CompanyInfo.from_dict(data))
    return Official(status if status in (NOT_FOUND, UNAVAILABLE) else "")


def category(company):
    """ "5710 — SAS, société par actions simplifiée", or the code alone when its label is not known."""
    code = company.legal_form_code or "?"
    return f"{code} — {company.legal_form_label}" if company.legal_form_label else code


def values_of(member, company):
    return {"name": name_of(member), "category": category(company), "siret": format_siret(company.siret)}


def status_sentences(member, company):
    """The company has ceased, or the declared establishment is closed."""
    values = values_of(member, company)
    if not company.legal_unit_active:
        if company.ceased_on:
            values["date"] = day_month_year(datetime.date.fromisoformat(company.ceased_on))
            return [
                _("Selon l'annuaire des entreprises, %(name)s a cessé son activité le %(date)s — à vérifier.") % values
            ]
        return [_("Selon l'annuaire des entreprises, %(name)s a cessé son activité — à vérifier.") % values]
    if company.establishment_open is False:
        return [
            _(
                "Selon l'annuaire des entreprises, l'établissement déclaré de %(name)s (SIRET %(siret)s) est fermé "
                "— à vérifier."
            )
            % values
        ]
    return []


def lead_mismatches(member, company):
    """Rule R01: the lead structure must be a private-law legal person."""
    values = values_of(member, company)
    sentences = []
    if company.is_public_law and member.category != MemberCategory.COLLECTIVITE:
        sentences.append(
            _(
                "Selon l'annuaire des entreprises, %(name)s relève du droit public (catégorie juridique "
                "%(category)s), alors que la structure porteuse doit être une personne morale de droit privé — à "
                "vérifier."
            )
            % values
        )
    elif not company.is_public_law and member.category == MemberCategory.COLLECTIVITE:
        sentences.append(
            _(
                "%(name)s est déclarée collectivité, mais sa catégorie juridique dans l'annuaire des entreprises est "
                "de droit privé (%(category)s) — à vérifier."
            )
            % values
        )
    if company.is_individual:
        sentences.append(
            _(
                "Selon l'annuaire des entreprises, %(name)s est un entrepreneur individuel (catégorie juridique "
                "%(category)s), non une personne morale — à vérifier."
            )
            % values
        )
    return sentences + status_sentences(member, company)


def ess_mismatches(member, company):
    """Rule R03: a member declared ESS enterprise, with its ESS legal form."""
    values = values_of(member, company)
    sentences = []
    if company.is_ess is False:
        sentences.append(
            _(
                "%(name)s est déclarée entreprise de l'ESS, mais l'annuaire des entreprises ne la recense pas dans "
                "l'économie sociale et solidaire (catégorie juridique %(category)s) — à vérifier."
            )
            % values
        )
    if company.is_public_law:
        sentences.append(
            _(
                "%(name)s est déclarée entreprise de l'ESS, mais relève du droit public selon l'annuaire des "
                "entreprises (catégorie juridique %(category)s) — à vérifier."
            )
            % values
        )
    elif form_contradicted(member.ess_legal_form, company):
        values["form"] = lower_first(label_of(EssLegalForm, member.ess_legal_form))
        sentences.append(
            _(
                "%(name)s est déclarée sous la forme « %(form)s », mais sa catégorie juridique dans l'annuaire des "
                "entreprises est %(category)s — à vérifier."
            )
            % values
        )
    return sentences + status_sentences(member, company)


def form_contradicted(declared, company):
    if declared not in FAMILIES or not company.legal_form_code:
        return False
    implied = ess_legal_form_from_code(company.legal_form_code)
    if implied is None:
        return declared in FORMS_WITH_THEIR_CODES
    return FAMILIES[EssLegalForm(implied)] != FAMILIES[EssLegalForm(declared)]


def enterprise_mismatches(member, company):
    """Rule R04: a member declared enterprise outside the ESS."""
    values = values_of(member, company)
    sentences = []
    if company.is_ess:
        sentences.append(
            _(
                "%(name)s est déclarée entreprise hors ESS, mais l'annuaire des entreprises la recense dans "
                "l'économie sociale et solidaire — à vérifier."
            )
            % values
        )
    elif company.ess_legal_form:
        sentences.append(
            _(
                "%(name)s est déclarée entreprise hors ESS, mais sa catégorie juridique (%(category)s) est une forme "
                "de l'ESS (art. 1 de la loi ESS) — à vérifier."
            )
            % values
        )
    if company.is_public_law:
        sentences.append(
            _(
                "%(name)s est déclarée entreprise, mais relève du droit public selon l'annuaire des entreprises "
                "(catégorie juridique %(category)s) — à vérifier."
            )
            % values
        )
    return sentences + status_sentences(member, company)


def art9_mismatches(member, company):
    """Rule R05: collectivités and groupements are of public law; research, higher education and training bodies may
    be of either law."""
    values = values_of(member, company)
    sentences = []
    if member.category == MemberCategory.COLLECTIVITE:
        if not company.is_public_law:
            sentences.append(
                _(
                    "%(name)s est déclarée collectivité territoriale ou groupement, mais sa catégorie juridique dans "
                    "l'annuaire des entreprises est de droit privé (%(category)s) — à vérifier."
                )
                % values
            )
        elif not company.is_collectivite:
            sentences.append(
                _(
                    "%(name)s est déclarée collectivité territoriale ou groupement ; l'annuaire des entreprises la "
                    "classe parmi les autres personnes de droit public (catégorie juridique %(category)s) — à "
                    "vérifier."
                )
                % values
            )
    return sentences + status_sentences(member, company)


def compare(members, mismatches):
    """(warnings, notes): the mismatches of the members the directory was read for, and a note naming those it could
    not be read for (unavailable, not found)."""
    warnings, unavailable, not_found = [], [], []
    for member in members:
        data = official(member)
        if data.found:
            warnings.extend(mismatches(member, data.company))
        elif data.status == UNAVAILABLE:
            unavailable.append(member)
        elif data.status == NOT_FOUND:
            not_found.append(member)
    notes = []
    if unavailable:
        notes.append(
            ngettext(
                "L'annuaire des entreprises n'a pas pu être consulté pour %(names)s : la catégorie déclarée n'a pas "
                "été comparée avec les données officielles.",
                "L'annuaire des entreprises n'a pas pu être consulté pour %(names)s : les catégories déclarées n'ont "
                "pas été comparées avec les données officielles.",
                len(unavailable),
            )
            % {"names": names(unavailable)}
        )
    if not_found:
        notes.append(
            ngettext(
                "%(names)s : SIRET absent de l'annuaire des entreprises (structure non diffusible ?), catégorie "
                "déclarée non comparée.",
                "%(names)s : SIRET absents de l'annuaire des entreprises (structures non diffusibles ?), catégories "
                "déclarées non comparées.",
                len(not_found),
            )
            % {"names": names(not_found)}
        )
    return warnings, notes


def with_official(declared, members, mismatches):
    """The declared data's verdict, completed with the official data of ``members``: a mismatch turns a pass into a
    warning (a failure stays one), a note on members not read changes no status."""
    warnings, notes = compare(members, mismatches)
    if not warnings and not notes:
        return declared
    messages = [*(declared.details or [declared.explanation]), *warnings, *notes]
    status = RuleStatus.WARNING if warnings and declared.status == RuleStatus.PASS else declared.status
    return verdict(status, messages)


MISMATCHES_BY_CATEGORY = {
    MemberCategory.ESS_ENTERPRISE: ess_mismatches,
    MemberCategory.ENTERPRISE: enterprise_mismatches,
    **dict.fromkeys(OTHER_ART9_CATEGORIES, art9_mismatches),
}


def member_mismatches(member):
    """Every mismatch of one member, as the rules say them (its category's rule, and R01 for the lead): for the staff
    page, beside the member."""
    data = official(member)
    if not data.found:
        return []
    checks = [lead_mismatches] if member.is_lead else []
    if member.category in MISMATCHES_BY_CATEGORY:
        checks.append(MISMATCHES_BY_CATEGORY[member.category])
    if not checks:
        return status_sentences(member, data.company)
    sentences = [sentence for check in checks for sentence in check(member, data.company)]
    return list(dict.fromkeys(sentences))
