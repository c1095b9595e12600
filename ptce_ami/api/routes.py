"""The endpoints of the read API (GET only), mounted at /api/v1/.

Every list is what the staff pages show the token's owner, no more: dossiers through ``visible_to`` and the
instruction list's filters (reviews.services.selection), the other resources through the dossiers matching the same
filters, and reviews and decisions as the staff dossier page shows them to each role:

- reviews: instructeurs get every review with its levels per criterion; regional partners (their regions only) the
  counted reviews' status, total and recommendation, as the evaluation panel shows them; nobody gets the reviewers'
  names or comments (the API serves scores only);
- decisions: instructeurs get every decision (provisional, published, revoked) with its motivation; regional
  partners only the published ones of their regions, without motivation (their staff pages show no decision panel;
  the laureates and amounts are on their dashboard).

Porteurs and reviewers get no token (accounts.use_api), hence no API.
"""

from django.db.models import Count, F, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from applications.models import MemberStructure
from ptce_ami.accounts import permissions
from ptce_ami.api import schemas
from ptce_ami.api.auth import TokenAuth, TokenRateThrottle
from ptce_ami.api.pagination import PageParams, page
from reviews.models import (
    AssignmentStatus,
    Decision,
    Grant,
    Payment,
    RegionalOpinion,
    Review,
    ReviewStatus,
    Score,
)
from reviews.services.selection import apply, build_filter, staff_queryset
from territories.models import Departement, Region

DESCRIPTION = gettext_noop(
    "API en lecture seule pour les outils des agents et des partenaires régionaux : dossiers, structures membres, "
    "territoires, évaluations (notes seulement), avis régionaux, décisions et aides. Voir la page de documentation."
)

api = NinjaAPI(
    title="API de l'AMI PTCE",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=TokenAuth(),
    throttle=TokenRateThrottle(),
)

ERRORS = {400: schemas.ErrorOut, 401: schemas.ErrorOut, 403: schemas.ErrorOut, 429: schemas.ErrorOut}
DETAIL_ERRORS = {**ERRORS, 404: schemas.ErrorOut}


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Introuvable, ou hors de ce que vous pouvez voir.")}, status=404)


@api.exception_handler(AuthenticationError)
def refused(request, exc):
    response = api.create_response(request, {"detail": exc.message}, status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


# Pydantic's messages are English: each refused parameter gets a French one (its "type" and "loc" are kept).
VALIDATION_MESSAGES = {
    "missing": gettext_noop("Ce paramètre est obligatoire."),
    "int_parsing": gettext_noop("Saisissez un nombre entier."),
    "int_from_float": gettext_noop("Saisissez un nombre entier."),
    "float_parsing": gettext_noop("Saisissez un nombre."),
    "finite_number": gettext_noop("Saisissez un nombre fini."),
    "less_than_equal": gettext_noop("Saisissez une valeur inférieure ou égale à %(le)s."),
    "less_than": gettext_noop("Saisissez une valeur inférieure à %(lt)s."),
    "greater_than_equal": gettext_noop("Saisissez une valeur supérieure ou égale à %(ge)s."),
    "greater_than": gettext_noop("Saisissez une valeur supérieure à %(gt)s."),
    "string_type": gettext_noop("Saisissez un texte."),
    "list_type": gettext_noop("Saisissez une liste de valeurs."),
}


def french_validation_message(error):
    message = VALIDATION_MESSAGES.get(error.get("type"))
    if message is None:
        return _("Valeur invalide.")
    try:
        return _(message) % error.get("ctx", {})
    except (KeyError, TypeError, ValueError):
        return _("Valeur invalide.")


@api.exception_handler(ValidationError)
def invalid(request, exc):
    detail = [
        {"type": error.get("type"), "loc": list(error.get("loc", ())), "msg": french_validation_message(error)}
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(Throttled)
def throttled(request, exc):
    message = _("Trop de requêtes avec ce jeton : réessayez dans quelques secondes (en-tête Retry-After).")
    return api.create_response(request, {"detail": message}, status=429)


class DossierFilters(Schema):
    """The instruction list's filters (reviews.services.selection.DossierFilter), read from the query string."""

    q: str | None = Field(
        None, description=gettext_noop("Recherche : nom du pôle, référence, nom ou SIRET d'un membre.")
    )
    edition: int | None = Field(None, description=gettext_noop("Identifiant de l'édition."))
    phase: str | None = Field(None, description=gettext_noop("Type de phase : phase1 ou phase2."))
    state: list[str] | None = Field(
        None, description=gettext_noop("État du dossier ; répétable (state=eligible&state=laureate).")
    )
    region: str | None = Field(None, description=gettext_noop("Code INSEE de la région."))
    departement: str | None = Field(
        None, description=gettext_noop("Code INSEE d'un département du territoire du pôle ou d'une structure membre.")
    )
    category: list[str] | None = Field(
        None,
        description=gettext_noop(
            "Catégorie de membres (art. 9 de la loi ESS) ; répétable : au moins un membre de l'une."
        ),
    )
    sector: int | None = Field(None, description=gettext_noop("Identifiant d'un secteur."))
    eligibility: str | None = Field(
        None, description=gettext_noop("Éligibilité à la dernière vérification : pass, warning, fail ou none.")
    )
    score_min: float | None = Field(None, ge=0, le=100, description=gettext_noop("Note minimale sur 100."))
    score_max: float | None = Field(None, ge=0, le=100, description=gettext_noop("Note maximale sur 100."))
    reviewer: int | None = Field(None, description=gettext_noop("Identifiant d'un évaluateur affecté."))
    label: int | None = Field(None, description=gettext_noop("Identifiant d'une étiquette."))


def matching_dossiers(request):
    """The submitted dossiers the token's owner sees that match the list's filters of the query string. Unlike the
    list, which shows an invalid value beside its field and ignores it, the API answers 400: a tool asking for a
    region it may not see must not receive its own regions' rows as if they were that one's."""
    filterset = build_filter(request.user, request.GET)
    if not filterset.form.is_valid():
        errors = "; ".join(f"{name} : {' '.join(messages)}" for name, messages in filterset.form.errors.items())
        raise HttpError(400, _("Filtre invalide (%(errors)s).") % {"errors": errors})
    return apply(filterset)


def matching_ids(request):
    return matching_dossiers(request).values("pk")


def visible_dossier(request, reference):
    return get_object_or_404(staff_queryset(request.user).only("pk", "reference"), reference=reference)


# Territories (the public referential) -----------------------------------------------------------------------------


@api.get(
    "/regions",
    response={200: schemas.RegionPage, **ERRORS},
    tags=[gettext_noop("Territoires")],
    summary=gettext_noop("Régions"),
    description=gettext_noop("Les régions (référentiel public), par code INSEE."),
)
def regions(request, params: Query[PageParams]):
    return page(request, Region.objects.all(), params, key="code", integer_key=False)


class DepartementFilters(Schema):
    region: str | None = Field(None, description=gettext_noop("Code INSEE de la région : ses départements seulement."))


@api.get(
    "/departements",
    response={200: schemas.DepartementPage, **ERRORS},
    tags=[gettext_noop("Territoires")],
    summary=gettext_noop("Départements"),
    description=gettext_noop("Les départements (référentiel public), par code INSEE."),
)
def departements(request, filters: Query[DepartementFilters], params: Query[PageParams]):
    queryset = Departement.objects.all()
    if filters.region:
        queryset = queryset.filter(region_id=filters.region)
    return page(request, queryset, params, key="code", integer_key=False)


# Dossiers ---------------------------------------------------------------------------------------------------------


def with_score(queryset):
    return queryset.select_related("phase__edition").annotate(score_value=F("score__value"))


@api.get(
    "/dossiers",
    response={200: schemas.DossierPage, **ERRORS},
    tags=[gettext_noop("Dossiers")],
    summary=gettext_noop("Dossiers"),
    description=gettext_noop(
        "Les dossiers déposés que vous voyez (un partenaire régional : ceux de ses régions), filtrés comme la liste "
        "d'instruction."
    ),
)
def dossiers(request, filters: Query[DossierFilters], params: Query[PageParams]):
    return page(request, with_score(matching_dossiers(request)), params)


@api.get(
    "/dossiers/{reference}",
    response={200: schemas.DossierDetailOut, **DETAIL_ERRORS},
    tags=[gettext_noop("Dossiers")],
    summary=gettext_noop("Un dossier"),
    description=gettext_noop("Un dossier déposé, par sa référence ; 404 pour un dossier que vous ne voyez pas."),
)
def dossier(request, reference: str):
    queryset = (
        with_score(staff_queryset(request.user))
        .annotate(member_count=Count("members"))
        .prefetch_related("sectors", "departements")
    )
    return get_object_or_404(queryset, reference=reference)


@api.get(
    "/dossiers/{reference}/members",
    response={200: schemas.MemberPage, **DETAIL_ERRORS},
    tags=[gettext_noop("Dossiers")],
    summary=gettext_noop("Structures membres d'un dossier"),
    description=gettext_noop("Les structures membres d'un dossier que vous voyez."),
)
def members(request, reference: str, params: Query[PageParams]):
    dossier = visible_dossier(request, reference)
    queryset = MemberStructure.objects.filter(dossier=dossier).select_related("commune")
    return page(request, queryset, params)


# Evaluation and selection ------------------------------------------------------------------------------------------


@api.get(
    "/reviews",
    response={200: schemas.ReviewPage, **ERRORS},
    tags=[gettext_noop("Évaluation")],
    summary=gettext_noop("Évaluations"),
    description=gettext_noop(
        "Les évaluations des dossiers que vous voyez (filtres des dossiers), notes seulement : les instructeurs ont "
        "toutes les évaluations et leurs niveaux par critère ; les partenaires régionaux, les évaluations comptées de"
        " leurs régions (note sur 100 et recommandation)."
    ),
)
def reviews(request, filters: Query[DossierFilters], params: Query[PageParams]):
    full = permissions.has_perm(request.user, "reviews.view_reviews_in_full")
    queryset = Review.objects.filter(dossier__in=matching_ids(request)).select_related("dossier", "assignment")
    if full:
        scores = Score.objects.select_related("criterion").order_by("criterion__position", "pk")
        queryset = queryset.prefetch_related(Prefetch("scores", queryset=scores))
    else:
        queryset = queryset.counted()
    result = page(request, queryset, params)
    for review in result["results"]:
        review.api_counted = (
            review.status == ReviewStatus.SUBMITTED and review.assignment.status != AssignmentStatus.CONFLICT
        )
        review.api_scores = (
            [
                {"criterion": s.criterion.label, "weight": s.criterion.weight, "value": s.value}
                for s in review.scores.all()
            ]
            if full
            else None
        )
    return result


@api.get(
    "/regional-opinions",
    response={200: schemas.OpinionPage, **ERRORS},
    tags=[gettext_noop("Évaluation")],
    summary=gettext_noop("Avis régionaux"),
    description=gettext_noop("Les avis régionaux et les rangs des dossiers que vous voyez (filtres des dossiers)."),
)
def regional_opinions(request, filters: Query[DossierFilters], params: Query[PageParams]):
    permissions.require_perm(request.user, "reviews.view_regional_opinions")
    queryset = RegionalOpinion.objects.filter(dossier__in=matching_ids(request)).select_related("dossier")
    return page(request, queryset, params)


@api.get(
    "/decisions",
    response={200: schemas.DecisionPage, **ERRORS},
    tags=[gettext_noop("Sélection")],
    summary=gettext_noop("Décisions"),
    description=gettext_noop(
        "Les décisions du comité sur les dossiers que vous voyez (filtres des dossiers) : toutes, provisoires et "
        "annulées comprises, pour les instructeurs ; les décisions publiées de leurs régions, sans motivation, pour "
        "les partenaires régionaux."
    ),
)
def decisions(request, filters: Query[DossierFilters], params: Query[PageParams]):
    full = permissions.has_perm(request.user, "reviews.view_committee")
    queryset = (Decision.objects.all() if full else Decision.objects.published()).filter(
        dossier__in=matching_ids(request)
    )
    result = page(request, queryset.select_related("dossier"), params)
    for decision in result["results"]:
        decision.api_motivation = decision.motivation if full else None
    return result


@api.get(
    "/grants",
    response={200: schemas.GrantPage, **ERRORS},
    tags=[gettext_noop("Sélection")],
    summary=gettext_noop("Aides"),
    description=gettext_noop(
        "Les aides des lauréats de phase 2 que vous voyez (filtres des dossiers), avec leurs versements."
    ),
)
def grants(request, filters: Query[DossierFilters], params: Query[PageParams]):
    permissions.require_perm(request.user, "reviews.view_grants")
    tranches = Payment.objects.order_by("position", "pk")
    queryset = (
        Grant.objects.visible_to(request.user)
        .filter(dossier__in=matching_ids(request))
        .select_related("dossier")
        .prefetch_related(Prefetch("payments", queryset=tranches))
    )
    return page(request, queryset, params)
