"""Files sent to a browser after the caller checked who may have them: never cached, never sniffed."""

import logging

from django.http import FileResponse, Http404, StreamingHttpResponse

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


def private(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
