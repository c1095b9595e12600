"""The API's documentation page (/api/): authentication, pagination, filters, rate limit, then each endpoint with
its parameters and the fields it answers, rendered on the server from the OpenAPI schema (no script needed)."""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ptce_ami.accounts.services import API_TOKEN_LIFETIMES
from ptce_ami.api.auth import TokenRateThrottle
from ptce_ami.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ptce_ami.api.routes import api


@dataclass
class Row:
    name: str
    type: str
    description: str
    required: bool = False
    children: list = field(default_factory=list)


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list
    fields: list
    statuses: list


def translated(text):
    return _(text) if text else ""


def resolve(schema, components):
    ref = schema.get("$ref")
    return components[ref.rsplit("/", 1)[-1]] if ref else schema


def type_names():
    return {
        "string": (_("chaîne"), _("chaînes")),
        "integer": (_("entier"), _("entiers")),
        "number": (_("nombre"), _("nombres")),
        "boolean": (_("booléen"), _("booléens")),
        "object": (_("objet"), _("objets")),
    }


def type_of(schema, components, *, nullable=True, plural=False):
    """A readable type: "chaîne", "entier", "liste d'objets", with "ou null" when it may be null (and ``nullable``:
    a query parameter is simply left out)."""
    names = type_names()
    if "$ref" in schema:
        return names["object"][plural]
    options = schema.get("anyOf")
    if options:
        kinds = [type_of(option, components, plural=plural) for option in options if option.get("type") != "null"]
        is_nullable = nullable and any(option.get("type") == "null" for option in options)
        return " ".join(kinds) + (_(" ou null") if is_nullable else "")
    kind = schema.get("type")
    if kind == "array":
        return _("liste : %(type)s") % {"type": type_of(schema.get("items", {}), components, plural=True)}
    label = names[kind][plural] if kind in names else kind or ""
    formats = {"date-time": _("date et heure ISO 8601"), "date": _("date ISO 8601"), "decimal": _("décimal")}
    if schema.get("format") in formats:
        label = f"{label} ({formats[schema['format']]})"
    return label


def rate_in_words(rate):
    """ "60/min" → "60 requêtes par minute"."""
    count, seconds = TokenRateThrottle().parse_rate(rate)
    periods = {1: _("par seconde"), 60: _("par minute"), 3600: _("par heure"), 86400: _("par jour")}
    period = periods.get(seconds) or ngettext("en %(seconds)d seconde", "en %(seconds)d secondes", seconds) % {
        "seconds": seconds
    }
    return ngettext("%(count)d requête %(period)s", "%(count)d requêtes %(period)s", count) % {
        "count": count,
        "period": period,
    }


def nested(schema, components):
    """The object schema a property holds (directly, in a list, or nullable), or None."""
    for candidate in [schema, *schema.get("anyOf", [])]:
        if "$ref" in candidate:
            return resolve(candidate, components)
        if candidate.get("type") == "array" and "$ref" in candidate.get("items", {}):
            return resolve(candidate["items"], components)
    return None


def field_rows(schema, components, depth=0):
    rows = []
    for name, prop in schema.get("properties", {}).items():
        inner = nested(prop, components)
        children = field_rows(inner, components, depth + 1) if inner is not None and depth < 2 else []
        rows.append(Row(name, type_of(prop, components), translated(prop.get("description", "")), children=children))
    return rows


def operations(openapi):
    components = openapi.get("components", {}).get("schemas", {})
    result = []
    for route, methods in openapi["paths"].items():
        for method, operation in methods.items():
            parameters = [
                Row(
                    parameter["name"],
                    type_of(parameter.get("schema", {}), components, nullable=False),
                    translated(parameter.get("description") or parameter.get("schema", {}).get("description", "")),
                    required=parameter.get("required", False),
                )
                for parameter in operation.get("parameters", [])
            ]
            ok = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
            result.append(
                Operation(
                    method=method.upper(),
                    path=route,
                    summary=translated(operation.get("summary", "")),
                    description=translated(operation.get("description", "")),
                    anchor=operation["operationId"],
                    parameters=parameters,
                    fields=field_rows(resolve(ok, components), components),
                    statuses=sorted(operation["responses"]),
                )
            )
    return result


def documentation(request):
    # Through JSON, as clients read it (status codes become strings).
    openapi = json.loads(json.dumps(api.get_openapi_schema()))
    context = {
        "operations": operations(openapi),
        "rate_limit": rate_in_words(settings.API_RATE_LIMIT),
        "default_limit": DEFAULT_LIMIT,
        "max_limit": MAX_LIMIT,
        "lifetimes": ", ".join(
            ngettext("%(days)d jour", "%(days)d jours", days) % {"days": days} for days in API_TOKEN_LIFETIMES
        ),
        "retention_days": settings.API_CALL_RETENTION_DAYS,
    }
    return render(request, "api/documentation.html", context)
