"""What the staff lists share: their query strings, their tabs and their pagination links."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tab:
    """One tab on top of a list (templates/includes/list_tabs.html), with the number of rows it holds."""

    key: str  # the tab's value in the query ("all", "followed", a state's value, a queue's name…)
    label: str
    count: int
    url: str
    current: bool


def query_without(query, *names):
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query


def page_links(query, page, name="page"):
    """The links of ``page``'s pagination, keeping the other parameters of ``query``; ``name``: the page's parameter
    (another one when a page shows two paginated lists)."""
    params = query_without(query, name)

    def url(number):
        params[name] = number
        return f"?{params.urlencode()}"

    paginator = page.paginator
    window = range(max(1, page.number - 2), min(paginator.num_pages, page.number + 2) + 1)
    return {
        "first": url(1) if page.number > 1 else "",
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
        "last": url(paginator.num_pages) if page.number < paginator.num_pages else "",
        "pages": [(number, url(number)) for number in window],
    }
