"""What an uploaded file really is, told from its content (never its name), with its size and SHA-256.

Accepted: PDF, PNG, JPEG, and the office formats ODT, ODS, DOCX and XLSX. The office formats are ZIP archives,
told apart by their inner structure; only the central directory and two small entries (ODF's ``mimetype`` and
``META-INF/manifest.xml``) are read, with a size cap: nothing is extracted, so a zip bomb costs nothing.
Everything else is refused: executables renamed ``statuts.pdf``, plain archives, HTML, encrypted, macro-enabled,
damaged or empty files.
"""

import hashlib
import math
import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 16
TAIL_SIZE = 1024  # a PDF ends with "%%EOF" within its last 1024 bytes
MAX_ZIP_ENTRIES = 10_000  # office documents hold tens to hundreds of entries
MAX_ZIP_UNCOMPRESSED = 1024 * 1024 * 1024  # declared total; beyond it, a bomb rather than a document
MAX_MIMETYPE_SIZE = 100
MAX_MANIFEST_SIZE = 1024 * 1024

PDF_MAGIC = b"%PDF-"
PDF_ENCRYPT = b"/Encrypt"
# A password-protected DOCX or XLSX is not a ZIP but a Compound File holding an "EncryptedPackage" stream.
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CFB_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_END_RECORD = b"PK\x05\x06"
ZIP_END_RECORD_FORMAT = "<4s4H2LH"
ZIP_END_RECORD_SIZE = struct.calcsize(ZIP_END_RECORD_FORMAT)
ZIP_MAX_COMMENT = 0xFFFF
ZIP_ENCRYPTED_FLAG = 0x1


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str  # the one files of this type are stored with
    label: str


PDF = FileType("application/pdf", ".pdf", "PDF")
ODT = FileType("application/vnd.oasis.opendocument.text", ".odt", "ODT")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", ".ods", "ODS")
PNG = FileType("image/png", ".png", "PNG")
JPEG = FileType("image/jpeg", ".jpg", "JPEG")

ACCEPTED_TYPES = (PDF, ODT, DOCX, XLSX, ODS, PNG, JPEG)
# The extensions a file name may carry for each accepted type.
NAME_EXTENSIONS = {file_type.extension: file_type for file_type in ACCEPTED_TYPES} | {".jpeg": JPEG}
ODF_MIMETYPES = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}


class Refusal:
    """Why a file has no accepted type."""

    EMPTY = "empty"
    UNKNOWN = "unknown"  # not one of the accepted types (executable, archive, HTML, …)
    DAMAGED = "damaged"  # looks like an accepted type, but its structure is broken or truncated
    ENCRYPTED = "encrypted"  # protected by a password: those who instruct could not open it
    MACROS = "macros"  # an office document carrying macros (DOCM, XLSM renamed)


@dataclass(frozen=True)
class Inspection:
    size: int
    sha256: str
    file_type: FileType | None
    refusal: str = ""  # a Refusal value when file_type is None


def detect(fileobj):
    """The accepted FileType of a file's content, or None."""
    return inspect(fileobj).file_type


def inspect(fileobj):
    """Read ``fileobj`` once, in chunks, from its start: size, SHA-256 and type (or why it is refused); a ZIP's
    central directory is read again, from its end. Memory stays within a chunk and a few small buffers.

    ``fileobj`` is a seekable binary file (a Django UploadedFile or File, an open file, BytesIO); it is left at
    its start, ready to be stored.
    """
    scan = _Scan()
    fileobj.seek(0)
    while chunk := fileobj.read(CHUNK_SIZE):
        scan.feed(chunk)
    file_type, refusal = _classify(scan, fileobj)
    fileobj.seek(0)
    return Inspection(size=scan.size, sha256=scan.digest.hexdigest(), file_type=file_type, refusal=refusal)


class _Scan:
    """What one pass over the content learns: size, digest, first and last bytes, an encryption marker."""

    def __init__(self):
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = b""
        self.tail = b""
        self.encrypted = False
        self._marker = None
        self._carry = b""

    def feed(self, chunk):
        self.size += len(chunk)
        self.digest.update(chunk)
        if len(self.head) < HEAD_SIZE:
            self.head += chunk[: HEAD_SIZE - len(self.head)]
            self._marker = encryption_marker(self.head)
        self.tail = (self.tail + chunk)[-TAIL_SIZE:]
        if self._marker and not self.encrypted:
            # The marker may straddle two chunks: keep the end of the previous one.
            window = self._carry + chunk
            self.encrypted = self._marker in window
            self._carry = window[-(len(self._marker) - 1) :]


def encryption_marker(head):
    if head.startswith(PDF_MAGIC):
        return PDF_ENCRYPT  # the trailer (or cross-reference stream) names the /Encrypt dictionary
    if head.startswith(CFB_MAGIC):
        return CFB_ENCRYPTED_PACKAGE
    return None


def _classify(scan, fileobj):
    if scan.size == 0:
        return None, Refusal.EMPTY
    if scan.head.startswith(PDF_MAGIC):
        return _classify_pdf(scan)
    if scan.head.startswith(PNG_MAGIC):
        # The first chunk is the header (IHDR); a complete image ends with IEND.
        complete = scan.head[12:16] == b"IHDR" and b"IEND" in scan.tail
        return (PNG, "") if complete else (None, Refusal.DAMAGED)
    if scan.head.startswith(JPEG_MAGIC):
        return JPEG, ""
    if scan.head.startswith(ZIP_MAGIC):
        return _classify_zip(fileobj, scan.size)
    if scan.head.startswith(CFB_MAGIC) and scan.encrypted:
        return None, Refusal.ENCRYPTED
    return None, Refusal.UNKNOWN  # including DOC and XLS (Compound Files), not accepted


def _classify_pdf(scan):
    if b"%%EOF" not in scan.tail:
        return None, Refusal.DAMAGED  # truncated
    if scan.encrypted:
        return None, Refusal.ENCRYPTED
    return PDF, ""


def _classify_zip(fileobj, size):
    entries = _zip_entry_count(fileobj, size)
    if entries is None:
        return None, Refusal.DAMAGED
    if entries > MAX_ZIP_ENTRIES:
        return None, Refusal.UNKNOWN
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            return _classify_archive(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        return None, Refusal.DAMAGED


def _zip_entry_count(fileobj, size):
    """Number of entries announced by the end-of-central-directory record, read before zipfile parses it all
    (a huge central directory would cost memory); None if there is no such record."""
    window = min(size, ZIP_END_RECORD_SIZE + ZIP_MAX_COMMENT)
    fileobj.seek(size - window)
    data = fileobj.read(window)
    position = data.rfind(ZIP_END_RECORD)
    if position < 0 or len(data) - position < ZIP_END_RECORD_SIZE:
        return None
    record = struct.unpack(ZIP_END_RECORD_FORMAT, data[position : position + ZIP_END_RECORD_SIZE])
    return record[4]  # total number of entries in the central directory (0xFFFF when ZIP64)


def _classify_archive(archive):
    infos = archive.infolist()
    if not infos:
        return None, Refusal.UNKNOWN
    if any(info.flag_bits & ZIP_ENCRYPTED_FLAG for info in infos):
        return None, Refusal.ENCRYPTED
    if sum(info.file_size for info in infos) > MAX_ZIP_UNCOMPRESSED:
        return None, Refusal.UNKNOWN
    if infos[0].filename == "mimetype":
        return _classify_odf(archive, infos)
    return _classify_ooxml({info.filename.lower() for info in infos})


def _read_small(archive, info, limit):
    """An entry's content, or None when it claims to be, or turns out to be, larger than ``limit``: the read
    stops there, whatever the entry's compression ratio."""
    if info.file_size > limit:
        return None
    with archive.open(info) as entry:
        data = entry.read(limit + 1)
    return data if len(data) <= limit else None


def _classify_odf(archive, infos):
    file_type = ODF_MIMETYPES.get(_read_small(archive, infos[0], MAX_MIMETYPE_SIZE))
    if file_type is None:
        return None, Refusal.UNKNOWN  # another OpenDocument kind (drawing, template…) or not one at all
    names = {info.filename for info in infos}
    if "content.xml" not in names:
        return None, Refusal.DAMAGED
    if "META-INF/manifest.xml" in names:
        manifest = _read_small(archive, archive.getinfo("META-INF/manifest.xml"), MAX_MANIFEST_SIZE)
        if manifest is None:
            return None, Refusal.DAMAGED
        if b"encryption-data" in manifest:
            return None, Refusal.ENCRYPTED  # a password-protected ODF document keeps its entries encrypted
    return file_type, ""


def _classify_ooxml(names):
    if "[content_types].xml" not in names:
        return None, Refusal.UNKNOWN
    if any(name.endswith("vbaproject.bin") for name in names):
        return None, Refusal.MACROS
    is_docx = "word/document.xml" in names
    is_xlsx = "xl/workbook.xml" in names
    if is_docx == is_xlsx:
        return None, Refusal.UNKNOWN  # neither (PPTX, another package) or, oddly, both
    return (DOCX if is_docx else XLSX), ""


def name_extension(name):
    """The lower-case extension of a file name, with its dot ("" when none): "Statuts.PDF" → ".pdf"."""
    stem, dot, extension = (name or "").rpartition(".")
    return f".{extension.lower()}" if dot and stem and extension else ""


def accepted_labels():
    """ "PDF, ODT, DOCX, XLSX, ODS, PNG ou JPEG"."""
    labels = [file_type.label for file_type in ACCEPTED_TYPES]
    return _("%(first)s ou %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


KIB = 1024
MIB = 1024 * 1024


def format_size(size, *, round_up=False):
    """A size in bytes, the French way: "820 octets", "14,6 Ko", "12,4 Mo", "10 Mo" (1 Mo = 1024 Ko).

    ``round_up`` rounds to the tenth above: a file just over a limit never shows as equal to it.
    """
    if size < KIB:
        return ngettext("%(size)d octet", "%(size)d octets", size) % {"size": size}
    value, template = (size / KIB, _("%(size)s Ko")) if size < MIB else (size / MIB, _("%(size)s Mo"))
    value = math.ceil(value * 10 - 1e-9) / 10 if round_up else round(value, 1)
    decimals = 0 if value == int(value) else 1
    return template % {"size": number_format(value, decimal_pos=decimals)}
