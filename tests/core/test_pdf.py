"""PDF notices (ptce_ami.core.pdf, templates/pdf/base.html): the sample notice's HTML, its PDF (pages, running
reference and page numbers, French formats, fonts) and the URL fetcher that keeps WeasyPrint off the network.

The sample is rendered once per module: a PDF render takes a few hundred milliseconds.
"""

import contextlib
import datetime as dt
import hashlib
import html
import io
import re
import socket
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import translation
from pypdf import PdfReader

from ptce_ami.core import pdf

REFERENCE = "AMI-PTCE-2026-00042"
ISSUED_ON = "3 août 2026"
LONG_NAME = "Annexe 3 — budget prévisionnel détaillé de la coopérative d'intérêt collectif, version signée.pdf"


def sample_context():
    """Context of templates/pdf/sample.html (also used by bench/pdf.py)."""
    rows = [
        {
            "number": n,
            "label": f"Élément n° {n} — coopérative d'intérêt collectif",
            "amount": Decimal("100000.00") if n == 12 else Decimal(n * 1234) + Decimal("0.50"),
        }
        for n in range(1, 61)
    ]
    names = ["statuts.pdf", "kbis.pdf", LONG_NAME]
    return {
        "reference": REFERENCE,
        "issued_at": dt.datetime(2026, 8, 3, 9, 30, tzinfo=dt.UTC),
        "submitted_at": dt.datetime(2026, 7, 31, 10, 0, tzinfo=dt.UTC),  # 12 h 00 in Paris (summer time)
        "applicant_name": "Pôle Énergie & Territoires — SCIC",
        "rows": rows,
        "total": sum(row["amount"] for row in rows),
        "attachments": [
            {"name": name, "size": 1_048_576 * (i + 1) + 17, "sha256": hashlib.sha256(name.encode()).hexdigest()}
            for i, name in enumerate(names)
        ],
        "signatory_name": "Camille Dupont",
        "signatory_role": "Sous-directrice du financement de l'économie sociale et solidaire",
    }


def squash(text):
    """Collapse whitespace runs to one space. French formats put no-break spaces in numbers and before "€"
    (U+00A0 from Django's French THOUSAND_SEPARATOR, U+202F if a narrow one is ever used) and the PDF's text has line
    breaks: all are whitespace for str.split(), so "100 000,00 €" matches whichever space was used."""
    return " ".join(text.split())


def html_text(markup):
    """The HTML with entities decoded, whitespace squashed and none around tags, to assert on regardless of the
    templates' indentation."""
    return re.sub(r"\s*(<[^>]*>)\s*", r"\1", squash(html.unescape(markup)))


def french_amount(amount):
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " €"


@contextlib.contextmanager
def no_network():
    """Fail on any attempt to resolve a host name or open a connection; yields the attempts."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", refuse)
        patch.setattr(socket.socket, "connect", refuse)
        yield attempts


@pytest.fixture(scope="module")
def sample_html():
    return pdf.render_notice_html("pdf/sample.html", sample_context())


@pytest.fixture(scope="module")
def sample_pdf(sample_html):
    with no_network() as attempts:
        data = pdf.html_to_pdf(sample_html)
    assert attempts == []
    return data


@pytest.fixture(scope="module")
def reader(sample_pdf):
    return PdfReader(io.BytesIO(sample_pdf))


@pytest.fixture(scope="module")
def page_texts(reader):
    return [page.extract_text() for page in reader.pages]


# HTML


def test_html_has_the_blocks_of_the_notice(sample_html):
    text = html_text(sample_html)
    assert f'<dd class="notice-reference">{REFERENCE}</dd>' in text
    assert f'<dd class="notice-date">{ISSUED_ON}</dd>' in text
    assert "<h1>Avis d'exemple : mise en page des documents de la plateforme</h1>" in text
    assert '<p class="fr-logo">République<br>Française</p>' in text
    assert "Ministère de l'Économie, des Finances et de la Souveraineté industrielle et numérique" in text
    assert '<span class="direction">Direction générale du Trésor</span>' in text
    assert '<footer class="signature"><p>Pour le ministre et par délégation,</p><p class="name">Camille' in text
    assert f"<title>Avis d'exemple — {REFERENCE}</title>" in text


def test_html_uses_french_formats(sample_html):
    text = html_text(sample_html)
    assert '<td>Élément n° 12 — coopérative d\'intérêt collectif</td><td class="amount">100 000,00 €</td>' in text
    assert "<dd>31 juillet 2026 à 12 h 00</dd>" in text
    assert f"<dd>{french_amount(sample_context()['total'])}</dd>" in text


def test_html_is_in_the_language_asked_else_the_active_one():
    """The callers ask for their addressee's language (a receipt, a letter); the committee's records for French."""
    with translation.override("en"):
        french = squash(pdf.render_notice_html("pdf/sample.html", sample_context(), language="fr"))
        english = squash(pdf.render_notice_html("pdf/sample.html", sample_context()))
    assert "31 juillet 2026 à 12 h 00" in french and '<html lang="fr">' in french
    assert "31 July 2026 at 12:00" in english and '<html lang="en">' in english


def test_html_refers_only_to_static_files(sample_html):
    urls = re.findall(r'(?:href|src)="([^"]*)"', sample_html)
    assert urls == ["/static/css/pdf.css"]


# PDF


def test_pdf_has_several_pages(sample_pdf, reader):
    assert sample_pdf.startswith(b"%PDF-")
    assert len(reader.pages) >= 2


def test_every_page_carries_reference_date_and_page_number(page_texts):
    count = len(page_texts)
    for number, text in enumerate(page_texts, start=1):
        text = squash(text)
        assert text.count(REFERENCE) >= 2, number  # top right, and bottom left with the date
        assert f"{REFERENCE} — {ISSUED_ON}" in text, number
        assert f"page {number} / {count}" in text, number


def test_table_header_is_repeated_and_total_shown_once(page_texts):
    assert all("N° Poste de dépense Montant" in squash(text) for text in page_texts[:2])
    total = french_amount(sample_context()["total"])
    assert squash(" ".join(page_texts)).count(f"Total {total}") == 1


def test_pdf_text_keeps_accents_and_french_formats(page_texts):
    text = squash(" ".join(page_texts))
    assert "RÉPUBLIQUE FRANÇAISE" in text
    assert "Ministère de l'Économie, des Finances et de la Souveraineté industrielle et numérique" in text
    assert "Élément n° 12 — coopérative d'intérêt collectif 100 000,00 €" in text
    assert "31 juillet 2026 à 12 h 00" in text
    assert "Sous-directrice du financement de l'économie sociale et solidaire" in text


def test_long_checksum_wraps_and_is_kept_whole(page_texts):
    checksum = hashlib.sha256(LONG_NAME.encode()).hexdigest()
    text = " ".join(page_texts)
    assert checksum not in text  # split over lines by the narrow column…
    assert checksum in re.sub(r"\s", "", text)  # …but nothing of it lost


def test_fonts_are_embedded_marianne(reader):
    fonts_per_page = [_embedded_fonts(page) for page in reader.pages]
    assert all({"Marianne", "Marianne-Bold"} <= fonts for fonts in fonts_per_page)
    # Only Marianne, and the monospace font of checksums: no fallback to a system font for the text.
    assert set().union(*fonts_per_page) == {"Marianne", "Marianne-Bold", "DejaVu-Sans-Mono"}


def _embedded_fonts(page):
    names = set()
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
        names.add(font["/BaseFont"].split("+", 1)[-1])  # without the subset prefix "ABCDEF+"
    return names


def test_pdf_metadata(reader):
    assert reader.metadata.title == f"Avis d'exemple — {REFERENCE}"  # one line, no surrounding spaces
    assert reader.metadata.author == "Direction générale du Trésor"


def test_pdf_is_tagged_for_assistive_technologies(reader):
    """PDF/UA-1: a structure tree, marked content, the document's language, its title shown by readers."""
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "fr"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True


# URL fetcher


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/static/css/pdf.css",
        "file:///etc/passwd",
        "/media/dossiers/1/statuts.pdf",
        "/static/../ptce_ami/settings.py",
        "https://notices.invalid/static/../ptce_ami/settings.py",
        "/static/%2e%2e/%2e%2e/ptce_ami/settings.py",
        "/static//etc/passwd",
        "ftp://example.com/x.css",
    ],
)
def test_fetcher_refuses_anything_but_static_files(url):
    with no_network() as attempts, pytest.raises(pdf.RefusedURL):
        pdf.static_url_fetcher().fetch(url)
    assert attempts == []


def test_fetcher_serves_static_files_from_the_finders():
    response = pdf.static_url_fetcher().fetch("/static/css/pdf.css")
    assert response.content_type == "text/css"
    assert response.read() == Path(finders.find("css/pdf.css")).read_bytes()


def test_fetcher_serves_collected_files_with_hashed_names(settings, tmp_path):
    # In production {% static %} gives hashed names ("css/pdf.77e22a65cfea.css") that only collectstatic makes.
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "pdf.77e22a65cfea.css").write_bytes(b"p { color: #000091 }")
    assert pdf.static_url_fetcher().fetch("/static/css/pdf.77e22a65cfea.css").read() == b"p { color: #000091 }"


def test_fetcher_serves_inline_data():
    assert pdf.static_url_fetcher().fetch("data:text/plain;base64,UFRDRQ==").read() == b"PTCE"


def test_fetcher_reports_a_missing_static_file():
    with pytest.raises(FileNotFoundError):
        pdf.static_url_fetcher().fetch("/static/css/does-not-exist.css")


def test_a_remote_image_stops_the_rendering_without_network_access():
    notice = '<p>Avis</p><img src="http://example.com/x.png" alt="">'
    with no_network() as attempts, pytest.raises(pdf.NoticeResourceError, match="example.com"):
        pdf.html_to_pdf(notice)
    assert attempts == []
