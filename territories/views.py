from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from territories.search import autocomplete as search_places
from territories.search import parse_kinds


@require_GET
@cache_control(public=True, max_age=3600)
def autocomplete(request):
    """Suggestions of places for the territory widgets; the referential is public data."""
    results = search_places(
        request.GET.get("q", ""),
        kinds=parse_kinds(request.GET.get("kinds")),
        limit=settings.TERRITORY_AUTOCOMPLETE_LIMIT,
    )
    return JsonResponse({"results": results})
