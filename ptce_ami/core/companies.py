"""Company lookup by SIRET in the public API "Recherche d'entreprises", with a degraded mode.

The API (https://recherche-entreprises.api.gouv.fr/docs/, no key) prefills name, commune, legal form and ESS
flag of a member structure. It is a convenience, never a gate: when it is switched off (``disabled``) or fails
(``unavailable``: timeout, network error, HTTP 429 or 5xx, unexpected body) the form keeps working with manual
entry, as démarches-simplifiées does in its "degraded mode" (DS PR #7770, #13435). ``lookup_siret`` never raises.

``not_found`` does not prove that a SIRET is fake either: the API leaves out non-diffusible companies (see its
documentation), so callers should show a hint and let the user go on.

Response format: the API's OpenAPI description (annuaire-entreprises-data-gouv-fr/search-api,
``app/doc/open-api.yml``). A search whose ``q`` is exactly 14 digits is a direct SIRET search; the result's
``matching_etablissements`` then holds only the searched establishment. ``etat_administratif`` is "A"/"C"
(active/ceased) for the legal unit and "A"/"F" (active/closed) for an establishment; ``date_fermeture`` dates
the ceasing. ``complements.est_ess`` is the ESS flag (ESS France and INSEE), ``complements.collectivite_territoriale``
an object (``code``, ``code_insee``, ``niveau``: "commune", "département", "région"…) for a local authority and null
otherwise, ``nature_juridique`` the INSEE catégorie juridique (level III, 4 digits).

What is kept of an answer (``CompanyInfo``) is also stored on each member at submission as its official data
(``CompanyInfo.as_dict``, read back with ``CompanyInfo.from_dict``), for the eligibility rules and the staff.

Settings, read at call time: ``COMPANY_LOOKUP_URL`` (empty or None disables the lookup) and
``COMPANY_LOOKUP_TIMEOUT`` (seconds, default 3).
"""

import dataclasses
import enum
import logging
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from ptce_ami.core.siret import SIREN_LENGTH, validate_siret

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3
FOUND_CACHE_SECONDS = 60 * 60 * 24
NOT_FOUND_CACHE_SECONDS = 60 * 10
# Bump the version when CompanyInfo changes, so that old cached entries are ignored.
CACHE_KEY = "core:company-lookup:v2:{siret}"

# ---------------------------------------------------------------------------------------------------------------
# INSEE catégories juridiques → ESS legal forms (art. 1 of the loi 2014-856: ESS "by legal form").
#
# Sources for every code and label below:
# - level III codes and labels: the nomenclature the API itself uses, annuaire-entreprises-data-gouv-fr/search-api,
#   app/labels/natures-juridiques.json (INSEE's list of catégories juridiques);
# - level I (first digit; 7 = "Personne morale et organisme soumis au droit administratif"): INSEE's XML schema
#   of the nomenclature, http://xml.insee.fr/schema/cj-enum.html.
#
# Only codes whose label states the form are mapped, plus 9223 "Groupement d'employeurs", which the API counts as
# an association (its est_association filter, open-api.yml). Left out on purpose:
# - SCIC: the nomenclature has no SCIC code, nor one for a cooperative SAS (so a SCIC SAS can only be 5710 "SAS");
#   5459/5559/5659 are "union de sociétés coopératives" (mapped to cooperative_autre). "cooperative_scic" is
#   therefore declarative only;
# - "societe_commerciale_ess": depends on the statutes, never on the code;
# - 5195 "Association coopérative inscrite (droit local Alsace Moselle)": association or cooperative?;
# - 9224 "Association d'avocats à responsabilité professionnelle individuelle" (not a 1901-law association) and
#   9240 "Congrégation";
# - mutual credit and guarantee bodies whose label does not say "coopérative" or "mutuelle" (5191, 5193, 5194,
#   6595, 6596) and the SICA (5432, 5532, 5632, 6532);
# - fonds de dotation: not listed in art. 1 (DOMAIN_FACTS (e)) and without a code of their own.
# ---------------------------------------------------------------------------------------------------------------
ASSOCIATION = "association"
COOPERATIVE_SCOP = "cooperative_scop"
COOPERATIVE_SCIC = "cooperative_scic"
COOPERATIVE_AUTRE = "cooperative_autre"
MUTUELLE = "mutuelle"
FONDATION = "fondation"
SOCIETE_COMMERCIALE_ESS = "societe_commerciale_ess"
ESS_LEGAL_FORMS = (
    ASSOCIATION,
    COOPERATIVE_SCOP,
    COOPERATIVE_SCIC,
    COOPERATIVE_AUTRE,
    MUTUELLE,
    FONDATION,
    SOCIETE_COMMERCIALE_ESS,
)

_ESS_CODES = {
    ASSOCIATION: {"9210", "9220", "9221", "9222", "9223", "9230", "9260"},
    COOPERATIVE_SCOP: {"5458", "5558", "5658"},
    COOPERATIVE_AUTRE: {
        "5192",  # Société coopérative de banque populaire
        "5196",  # Caisse d'épargne et de prévoyance à forme coopérative
        "5203",  # SNC coopérative
        "5307",  # SCS coopérative
        "5309",  # SCA coopérative
        *("5443", "5451", "5453", "5454", "5455", "5459", "5460"),  # SARL coopératives
        *("5543", "5547", "5551", "5552", "5553", "5554", "5555", "5559", "5560"),  # SA coop. à conseil d'adm.
        *("5643", "5647", "5651", "5652", "5653", "5654", "5655", "5659", "5660"),  # SA coop. à directoire
        *("6316", "6317", "6318"),  # CUMA, coopératives agricoles and their unions
        *("6543", "6551", "6554", "6558", "6560"),  # sociétés civiles coopératives
    },
    MUTUELLE: {
        "6411",  # Société d'assurance à forme mutuelle (code des assurances)
        "8210",  # Mutuelle (code de la mutualité)
        "8250",  # Assurance mutuelle agricole
        "8290",  # Autre organisme mutualiste
    },
    FONDATION: {"9300"},
}
_ESS_FORM_BY_CODE = {code: form for form, codes in _ESS_CODES.items() for code in codes}

# Labels (same sources) for the mapped codes and the forms members most often have; others stay None.
LEGAL_FORM_LABELS = {
    "1000": "Entrepreneur individuel",
    "5192": "Société coopérative de banque populaire",
    "5196": "Caisse d'épargne et de prévoyance à forme coopérative",
    "5202": "Société en nom collectif",
    "5203": "Société en nom collectif coopérative",
    "5307": "Société en commandite simple coopérative",
    "5309": "Société en commandite par actions coopérative",
    "5443": "SARL coopérative de construction",
    "5451": "SARL coopérative de consommation",
    "5453": "SARL coopérative artisanale",
    "5454": "SARL coopérative d'intérêt maritime",
    "5455": "SARL coopérative de transport",
    "5458": "SARL coopérative de production (SCOP)",
    "5459": "SARL union de sociétés coopératives",
    "5460": "Autre SARL coopérative",
    "5485": "Société d'exercice libéral à responsabilité limitée",
    "5499": "Société à responsabilité limitée (sans autre indication)",
    "5515": "SA d'économie mixte à conseil d'administration",
    "5543": "SA coopérative de construction à conseil d'administration",
    "5546": "SA de HLM à conseil d'administration",
    "5547": "SA coopérative de production de HLM à conseil d'administration",
    "5551": "SA coopérative de consommation à conseil d'administration",
    "5552": "SA coopérative de commerçants-détaillants à conseil d'administration",
    "5553": "SA coopérative artisanale à conseil d'administration",
    "5554": "SA coopérative (d'intérêt) maritime à conseil d'administration",
    "5555": "SA coopérative de transport à conseil d'administration",
    "5558": "SA coopérative de production (SCOP) à conseil d'administration",
    "5559": "SA union de sociétés coopératives à conseil d'administration",
    "5560": "Autre SA coopérative à conseil d'administration",
    "5599": "SA à conseil d'administration (s.a.i.)",
    "5643": "SA coopérative de construction à directoire",
    "5647": "Société coopérative de production de HLM anonyme à directoire",
    "5651": "SA coopérative de consommation à directoire",
    "5652": "SA coopérative de commerçants-détaillants à directoire",
    "5653": "SA coopérative artisanale à directoire",
    "5654": "SA coopérative d'intérêt maritime à directoire",
    "5655": "SA coopérative de transport à directoire",
    "5658": "SA coopérative de production (SCOP) à directoire",
    "5659": "SA union de sociétés coopératives à directoire",
    "5660": "Autre SA coopérative à directoire",
    "5699": "SA à directoire (s.a.i.)",
    "5710": "SAS, société par actions simplifiée",
    "5785": "Société d'exercice libéral par action simplifiée",
    "6220": "Groupement d'intérêt économique (GIE)",
    "6316": "Coopérative d'utilisation de matériel agricole en commun (CUMA)",
    "6317": "Société coopérative agricole",
    "6318": "Union de sociétés coopératives agricoles",
    "6411": "Société d'assurance à forme mutuelle",
    "6540": "Société civile immobilière",
    "6543": "Société civile coopérative de construction",
    "6551": "Société civile coopérative de consommation",
    "6554": "Société civile coopérative d'intérêt maritime",
    "6558": "Société civile coopérative entre médecins",
    "6560": "Autre société civile coopérative",
    "6599": "Autre société civile",
    "7210": "Commune et commune nouvelle",
    "7220": "Département",
    "7225": "Collectivité et territoire d'Outre Mer",
    "7229": "(Autre) Collectivité territoriale",
    "7230": "Région",
    "7331": "Établissement public local d'enseignement",
    "7343": "Communauté urbaine",
    "7344": "Métropole",
    "7346": "Communauté de communes",
    "7348": "Communauté d'agglomération",
    "7353": "Syndicat intercommunal à vocation unique (SIVU)",
    "7354": "Syndicat mixte fermé",
    "7355": "Syndicat mixte ouvert",
    "7357": "Pôle d'équilibre territorial et rural (PETR)",
    "7361": "Centre communal d'action sociale",
    "7367": "Centre Intercommunal d'action sociale (CIAS)",
    "7381": "Organisme consulaire",
    "7383": "Établissement public national à caractère scientifique culturel et professionnel",
    "7389": "Établissement public national à caractère administratif",
    "7410": "Groupement d'intérêt public (GIP)",
    "8210": "Mutuelle",
    "8250": "Assurance mutuelle agricole",
    "8290": "Autre organisme mutualiste",
    "9210": "Association non déclarée",
    "9220": "Association déclarée",
    "9221": "Association déclarée d'insertion par l'économique",
    "9222": "Association intermédiaire",
    "9223": "Groupement d'employeurs",
    "9230": "Association déclarée, reconnue d'utilité publique",
    "9260": "Association de droit local (Bas-Rhin, Haut-Rhin et Moselle)",
    "9300": "Fondation",
    "9900": "Autre personne morale de droit privé",
}


def ess_legal_form_from_code(code):
    """The ESS legal form implied by an INSEE catégorie juridique, or None when the code alone does not tell.

    Never returns "cooperative_scic" nor "societe_commerciale_ess": no code identifies them (see above).
    """
    return _ESS_FORM_BY_CODE.get(str(code or "").strip())


def is_public_law_code(code):
    """Level I category 7: "personne morale et organisme soumis au droit administratif" (State, collectivités,
    EPCI, public establishments…). Category 4 (public bodies under commercial law, e.g. EPIC) is not included."""
    return str(code or "").strip().startswith("7")


# ---------------------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompanyInfo:
    """What the lookup tells about one establishment and its legal unit (strings are as Sirene spells them)."""

    siren: str
    siret: str
    name: str
    legal_form_code: str | None
    legal_form_label: str | None
    commune_code: str | None  # INSEE code (COG), not the postcode
    commune_name: str | None
    postcode: str | None
    is_ess: bool | None  # the API's "est_ess" (ESS France and INSEE): a hint, not proof; None when not given
    is_association: bool
    is_public_body: bool
    is_active: bool  # the legal unit is active and, when known, the establishment is open
    naf_code: str | None
    # Added with the official data of members (cache key v2): what the rules compare with the declared data.
    # "commune", "département"… ("" without a level): the directory lists it as a local authority; None: it does not.
    collectivite_level: str | None = None
    legal_unit_active: bool = True  # etat_administratif of the legal unit: "A" (True) or "C", ceased (False)
    ceased_on: str | None = None  # date_fermeture of the legal unit (ISO date), when it ceased
    establishment_open: bool | None = None  # etat_administratif of the searched establishment; None: not in the answer

    @property
    def ess_legal_form(self):
        return ess_legal_form_from_code(self.legal_form_code)

    @property
    def is_public_law(self):
        """Its legal category is of public law (level I category 7), or the directory lists it as a collectivité."""
        return is_public_law_code(self.legal_form_code) or self.collectivite_level is not None

    @property
    def is_individual(self):
        """Level I category 1: an entrepreneur individuel, a natural person rather than a legal one."""
        return str(self.legal_form_code or "").startswith("1")

    @property
    def is_collectivite(self):
        """A collectivité territoriale or a groupement of them: the directory says so, or the code is 72xx
        (collectivités territoriales), 734x (EPCI, pôles métropolitains…) or 735x (syndicats, ententes, PETR)."""
        code = str(self.legal_form_code or "")
        return self.collectivite_level is not None or code[:2] == "72" or code[:3] in ("734", "735")

    def as_dict(self):
        """Plain data (JSON, cache)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        """A CompanyInfo from ``as_dict`` data, also one stored before a field was added (it gets its default)."""
        fields = dataclasses.fields(cls)
        values = {field.name: None if field.default is dataclasses.MISSING else field.default for field in fields}
        values.update({"name": "", "is_association": False, "is_public_body": False, "is_active": True})
        values.update({key: value for key, value in data.items() if key in values})
        return cls(**values)


class LookupStatus(enum.StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"
    DISABLED = "disabled"


@dataclass(frozen=True)
class LookupResult:
    status: LookupStatus
    company: CompanyInfo | None = None
    reason: str = ""  # why the lookup is unavailable; for logs, never shown to users

    @property
    def found(self):
        return self.status == LookupStatus.FOUND

    @property
    def degraded(self):
        """True when the lookup could not run: the form must offer manual entry without blocking."""
        return self.status in (LookupStatus.UNAVAILABLE, LookupStatus.DISABLED)


class MalformedResponse(ValueError):
    """The API answered 200 with a body we cannot read."""


# ---------------------------------------------------------------------------------------------------------------
# Lookup
# ---------------------------------------------------------------------------------------------------------------
def build_http_client(*, timeout=None, **kwargs):
    """An httpx.Client for the public APIs we call: descriptive User-Agent (asked for by the API's documentation),
    JSON, and a short timeout so that a slow API never holds a form. Extra keyword arguments go to httpx.Client
    (tests pass ``transport=httpx.MockTransport(...)``)."""
    site_url = getattr(settings, "SITE_URL", "")
    contact = getattr(settings, "CONTACT_EMAIL", "")
    headers = {
        "User-Agent": f"PTCE-AMI (plateforme de l'AMI PTCE; +{site_url}; {contact})",
        "Accept": "application/json",
    }
    timeout = _timeout() if timeout is None else timeout
    return httpx.Client(headers=headers, timeout=timeout, **kwargs)


def is_enabled():
    """Whether the lookup is switched on (COMPANY_LOOKUP_URL set)."""
    return bool(getattr(settings, "COMPANY_LOOKUP_URL", ""))


def lookup_siret(siret, *, client=None):
    """Look an establishment up by SIRET; returns a LookupResult and never raises.

    An invalid SIRET is ``not_found`` without any request. Successful answers are cached for a day and
    ``not_found`` for ten minutes, so that re-typing does not query again; failures are not cached.
    """
    url = getattr(settings, "COMPANY_LOOKUP_URL", "")
    if not url:
        return LookupResult(LookupStatus.DISABLED)
    try:
        siret = validate_siret(siret)
    except ValidationError:
        return LookupResult(LookupStatus.NOT_FOUND)

    cached = _cache_get(siret)
    if cached is not None:
        return cached
    try:
        result = _query(url, siret, client)
    except Exception:  # a bug here must not break the form either; logged with its traceback
        logger.exception("Company lookup failed unexpectedly for SIRET %s", siret)
        return _unavailable("unexpected error")
    if result.status == LookupStatus.UNAVAILABLE:
        logger.warning("Company lookup unavailable for SIRET %s: %s", siret, result.reason)
    else:
        _cache_set(siret, result)
    return result


def _timeout():
    return getattr(settings, "COMPANY_LOOKUP_TIMEOUT", None) or DEFAULT_TIMEOUT


def _query(url, siret, client):
    params = {"q": siret, "minimal": "true", "include": "siege,matching_etablissements,complements"}
    try:
        if client is None:
            with build_http_client() as own_client:
                response = own_client.get(url, params=params)
        else:
            response = client.get(url, params=params, timeout=_timeout())
    except httpx.TimeoutException as error:
        return _unavailable(f"timeout ({type(error).__name__})")
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return _unavailable(f"network error ({type(error).__name__}: {error})")

    if response.status_code != 200:
        return _unavailable(_describe_status(response))
    try:
        company = parse_search_response(response.json(), siret)
    except ValueError as error:  # json.JSONDecodeError and MalformedResponse are ValueErrors
        return _unavailable(f"malformed response ({error})")
    if company is None:
        return LookupResult(LookupStatus.NOT_FOUND)
    return LookupResult(LookupStatus.FOUND, company)


def _unavailable(reason):
    return LookupResult(LookupStatus.UNAVAILABLE, reason=reason)


def _describe_status(response):
    reason = f"HTTP {response.status_code}"
    if response.status_code == 429 and "Retry-After" in response.headers:
        reason += f", Retry-After {response.headers['Retry-After']}"
    return reason


# ---------------------------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------------------------
def parse_search_response(payload, siret):
    """The CompanyInfo of ``siret`` in a /search payload, None when absent; MalformedResponse on a bad shape."""
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise MalformedResponse("no 'results' list")
    siren = siret[:SIREN_LENGTH]
    for result in payload["results"]:
        if not isinstance(result, dict):
            raise MalformedResponse("a result is not an object")
        if result.get("siren") == siren:
            return _company_from_result(result, siret)
    return None


def _company_from_result(result, siret):
    establishment = _find_establishment(result, siret)
    complements = _object(result.get("complements"), "complements")
    code = _text(result.get("nature_juridique"))
    return CompanyInfo(
        siren=result["siren"],
        siret=siret,
        name=_text(result.get("nom_raison_sociale")) or _text(result.get("nom_complet")) or "",
        legal_form_code=code,
        legal_form_label=LEGAL_FORM_LABELS.get(code) if code else None,
        commune_code=_text(establishment.get("commune")),
        commune_name=_text(establishment.get("libelle_commune")),
        postcode=_text(establishment.get("code_postal")),
        is_ess=_flag(complements.get("est_ess")),
        is_association=_is_association(complements, code),
        is_public_body=is_public_law_code(code) or bool(complements.get("collectivite_territoriale")),
        is_active=_is_active(result, establishment),
        naf_code=_text(result.get("activite_principale")) or _text(establishment.get("activite_principale")),
        collectivite_level=_collectivite_level(complements.get("collectivite_territoriale")),
        legal_unit_active=result.get("etat_administratif") == "A",
        ceased_on=_text(result.get("date_fermeture")) if result.get("etat_administratif") == "C" else None,
        establishment_open=establishment.get("etat_administratif") == "A" if establishment else None,
    )


def _collectivite_level(value):
    """The ``niveau`` of the ``collectivite_territoriale`` object ("commune"…), "" when it has none; None when the
    directory does not list the unit as a local authority."""
    if not value:
        return None
    if not isinstance(value, dict):
        raise MalformedResponse("'collectivite_territoriale' is not an object")
    return _text(value.get("niveau")) or ""


def _find_establishment(result, siret):
    """The searched establishment: in ``matching_etablissements`` (direct SIRET search), else the head office
    when it is the one; an empty dict when the answer does not include it."""
    matching = result.get("matching_etablissements") or []
    if not isinstance(matching, list):
        raise MalformedResponse("'matching_etablissements' is not a list")
    siege = _object(result.get("siege"), "siege")
    for establishment in [*matching, siege]:
        if isinstance(establishment, dict) and establishment.get("siret") == siret:
            return establishment
    return {}


def _is_active(result, establishment):
    if result.get("etat_administratif") != "A":
        return False
    return not establishment or establishment.get("etat_administratif") == "A"


def _is_association(complements, code):
    flag = _flag(complements.get("est_association"))
    return flag if flag is not None else ess_legal_form_from_code(code) == ASSOCIATION


def _object(value, name):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedResponse(f"'{name}' is not an object")
    return value


# What the API puts in place of the fields of a partially diffusible company ("statut_diffusion": "P").
_MASKED = "[NON-DIFFUSIBLE]"


def _text(value):
    """A non-empty string from the payload, or None (also for masked values)."""
    if not isinstance(value, str) or value.strip() in ("", _MASKED):
        return None
    return value.strip()


def _flag(value):
    return value if isinstance(value, bool) else None


# ---------------------------------------------------------------------------------------------------------------
# Cache (a failing cache backend must not break the lookup either)
# ---------------------------------------------------------------------------------------------------------------
def _cache_get(siret):
    try:
        entry = cache.get(CACHE_KEY.format(siret=siret))
    except Exception:  # e.g. Redis down: behave as a cache miss
        logger.warning("Company lookup cache unreadable", exc_info=True)
        return None
    if not isinstance(entry, dict):
        return None
    if entry.get("status") == LookupStatus.NOT_FOUND:
        return LookupResult(LookupStatus.NOT_FOUND)
    if entry.get("status") == LookupStatus.FOUND:
        return LookupResult(LookupStatus.FOUND, CompanyInfo.from_dict(entry["company"]))
    return None


def _cache_set(siret, result):
    if result.found:
        entry = {"status": str(result.status), "company": result.company.as_dict()}
        seconds = FOUND_CACHE_SECONDS
    else:
        entry, seconds = {"status": str(result.status)}, NOT_FOUND_CACHE_SECONDS
    try:
        cache.set(CACHE_KEY.format(siret=siret), entry, seconds)
    except Exception:
        logger.warning("Company lookup cache not writable", exc_info=True)
