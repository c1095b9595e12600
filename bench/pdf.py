"""Benchmark of the PDF notices: renders the sample notice (templates/pdf/sample.html) and prints, for the HTML
rendering and the PDF conversion separately, the median and the 95th percentile in milliseconds.

Usage: .venv/bin/python bench/pdf.py [--runs 20]
"""

import argparse
import io
import math
import os
import statistics
import sys
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    sys.path[0] = str(ROOT)  # the project, in place of bench/ (whose pdf.py must not shadow anything)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ptce_ami.settings"
    os.environ["DEBUG"] = "1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # WeasyPrint logs its progress at INFO, ten lines a render
    import django

    django.setup()


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, (time.perf_counter() - start) * 1000


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def report(label, values):
    print(
        f"{label:<16} median {statistics.median(values):7.1f} ms   p95 {percentile(values, 0.95):7.1f} ms"
        f"   (min {min(values):.1f}, max {max(values):.1f}, n={len(values)})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    setup_django()
    from ptce_ami.core import pdf
    from tests.core.test_pdf import sample_context

    html, first_html_ms = timed(pdf.render_notice_html, "pdf/sample.html", sample_context())
    document, first_pdf_ms = timed(pdf.html_to_pdf, html)  # warm-up: WeasyPrint's import, template loading
    print(f"warm-up: HTML {first_html_ms:.1f} ms, PDF {first_pdf_ms:.1f} ms (WeasyPrint import included)")
    html_ms, pdf_ms = [], []
    for _ in range(runs):
        html, elapsed = timed(pdf.render_notice_html, "pdf/sample.html", sample_context())
        html_ms.append(elapsed)
        document, elapsed = timed(pdf.html_to_pdf, html)
        pdf_ms.append(elapsed)
    pages = len(PdfReader(io.BytesIO(document)).pages)
    print(f"sample notice: {pages} pages, {len(document) / 1024:.0f} KiB; {runs} runs")
    report("HTML rendering", html_ms)
    report("PDF conversion", pdf_ms)


if __name__ == "__main__":
    main()
