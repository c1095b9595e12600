"""Keyset pagination: each page reads the rows after the cursor on an indexed key (the primary key), so a page
costs the same whatever the number of rows and whatever its position; no total is counted (a COUNT reads them all).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, Schema
from ninja.errors import HttpError

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
LARGEST_KEY = 2**63 - 1  # a bigint: a larger cursor is refused by PostgreSQL (an error, not an empty page)


class PageParams(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=gettext_noop("Nombre de résultats par page (1 à 100).")
    )
    cursor: str | None = Field(
        None,
        description=gettext_noop("Curseur rendu par la page précédente (next_cursor) ; absent pour la première page."),
    )


def page(request, queryset, params, *, key="pk", integer_key=True):
    """{"results", "next_cursor", "next"}: at most ``params.limit`` rows of ``queryset`` ordered by ``key``, after
    the cursor. One query (plus the queryset's prefetches)."""
    if params.cursor:
        after = params.cursor
        if integer_key:
            # ASCII digits only ("²".isdigit() is true, and int() refuses it), within a bigint.
            if not (after.isascii() and after.isdigit()) or int(after) > LARGEST_KEY:
                raise HttpError(400, _("Curseur invalide : reprenez la valeur next_cursor de la page précédente."))
            after = int(after)
        queryset = queryset.filter(**{f"{key}__gt": after})
    rows = list(queryset.order_by(key)[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = str(getattr(rows[-1], key)) if more else None
    return {"results": rows, "next_cursor": next_cursor, "next": next_url(request, next_cursor)}


def next_url(request, cursor):
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
