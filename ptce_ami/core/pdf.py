"""PDF notices: a Django template rendered to HTML, then to PDF by WeasyPrint.

Every resource a notice refers to (stylesheets, fonts, images) is read from Django's static files through the
staticfiles finders: never over the network, never through STATIC_URL over HTTP, so rendering works in tests and in
workers without collectstatic, and a template cannot make the worker fetch an arbitrary URL.
"""

import functools
import mimetypes
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import translation

# Base against which WeasyPrint resolves relative URLs ("/static/css/pdf.css", "../fonts/x.woff2"). The ".invalid"
# top-level domain never resolves (RFC 2606), and the fetcher never opens it anyway: it only maps the static prefix
# under it to local files.
BASE_URL = "https://notices.invalid/"


class RefusedURL(ValueError):
    """A notice referred to something other than a static file or an inline ``data:`` URL."""


class NoticeResourceError(RuntimeError):
    """A resource of a notice (stylesheet, font, image) was refused or missing: no PDF is made without it."""


def render_notice_html(template_name, context=None, *, language=None):
    """Render a notice's template to HTML in ``language``, by default the active one: the callers choose their
    recipient's (applications.services.notices.notice_language), or French for the committee's own records."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        return render_to_string(template_name, context)


# Tagged PDF for assistive technologies (structure tree, marked content, language, title shown by readers).
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html):
    """Lay out the HTML of a notice as a tagged A4 PDF (PDF/UA-1) and return its bytes.

    The document's title (its metadata, shown by PDF readers) is the ``<title>`` on one line, whatever the
    template's indentation.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    font_config = FontConfiguration()  # makes the @font-face rules (Marianne) available to the layout
    try:
        source = HTML(string=html, base_url=BASE_URL, url_fetcher=static_url_fetcher())
        document = source.render(font_config=font_config, pdf_variant=PDF_VARIANT)
    except FatalURLFetchingError as error:  # a BaseException in WeasyPrint: made an ordinary error here
        raise NoticeResourceError(f"{error}: {error.__cause__}") from error
    document.metadata.title = " ".join((document.metadata.title or "").split())
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(template_name, context=None, *, language=None):
    return html_to_pdf(render_notice_html(template_name, context, language=language))


def static_file_path(url):
    """Return the local file a static URL names; raise RefusedURL for any other URL, FileNotFoundError if missing."""
    name = _static_name(url)
    path = finders.find(name) or _collected_path(name)
    if path is None:
        raise FileNotFoundError(f"Static file not found for a PDF notice: {name}")
    return Path(path)


def _static_name(url):
    """The static file's name in a URL under the static prefix, e.g. "css/pdf.css"; RefusedURL for any other URL."""
    url = urlsplit(urljoin(BASE_URL, url))._replace(query="", fragment="").geturl()
    prefix = urljoin(BASE_URL, settings.STATIC_URL)
    name = unquote(url.removeprefix(prefix))
    if not url.startswith(prefix) or name.startswith("/") or "\\" in name or ".." in PurePosixPath(name).parts:
        raise RefusedURL(f"Only static files may be used in a PDF notice, not {url}")
    return name


def _collected_path(name):
    """Fall back on collected files: hashed names made by {% static %} with manifest storage exist only there."""
    try:
        path = Path(staticfiles_storage.path(name))
    except NotImplementedError:  # remote storage: not read from a worker
        return None
    return path if path.is_file() else None


def static_url_fetcher():
    """A WeasyPrint URL fetcher for notices; a refused or missing resource stops the rendering."""
    return _fetcher_class()(fail_on_errors=True)


@functools.cache
def _fetcher_class():
    """Build the WeasyPrint URL fetcher class on first use, to keep WeasyPrint's import out of module loading."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesURLFetcher(URLFetcher):
        """Serve static files from the finders and inline ``data:`` URLs; refuse everything else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)  # decoded in memory, no I/O
            path = static_file_path(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            # The response keeps the static URL: relative URLs inside a stylesheet resolve against it.
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesURLFetcher
