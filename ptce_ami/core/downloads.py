"""Files sent to a browser after the caller checked who may have them: never cached, never sniffed."""

import csv
import io
import logging
from decimal import Decimal

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse

from ptce_ami.core.spreadsheets import formula_safe
from ptce_ami.core.zips import stream_zip

logger = logging.getLogger(__name__)


def protected_download(file, filename, content_type=None):
    """A stored file as an attachment; a file missing from the storage is a 404 (logged), not a 500."""
    try:
        handle = file.open("rb")
    except (OSError, ValueError):
        logger.error("file %r missing from the storage", file.name)
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    return private(response)


def protected_zip(entries, filename):
    """A zip archive of ``entries`` (ptce_ami.core.zips.ZipEntry), streamed as it is written."""
    response = StreamingHttpResponse(stream_zip(entries), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private(response)


def chart_csv_response(filename, headers, rows):
    """A chart's numbers as a CSV attachment for French spreadsheets: UTF-8 with a BOM (Excel reads the accents),
    ";" between cells, every text cell neutralised against formula injection (numbers are written as they are)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([formula_safe(header) for header in headers])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return private(response)


def csv_cell(cell):
    """A number as a French spreadsheet reads it (decimal comma, never a formula); a text made harmless."""
    if isinstance(cell, bool):
        return formula_safe(cell)
    if isinstance(cell, int | float | Decimal):
        return str(cell).replace(".", ",")
    return formula_safe("" if cell is None else cell)


def private(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
