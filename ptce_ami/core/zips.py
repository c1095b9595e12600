"""Zip archives streamed as they are written (nothing held in memory), with entry names a file manager accepts and
entry times in the platform's time zone: the dossier's "Tout télécharger (zip)" is built with it."""

import datetime
import posixpath
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify

CHUNK_SIZE = 64 * 1024

# Characters no file manager accepts in a name (Windows' reserved ones, separators, controls).
UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
NAME_LIMIT = 80


@dataclass(frozen=True)
class ZipEntry:
    name: str  # path in the archive
    file: object  # FieldFile
    modified: datetime.datetime  # aware: when the file was uploaded


def readable(text, limit=NAME_LIMIT):
    """``text`` as part of a file name: accents and spaces kept, what a file system refuses dropped."""
    text = UNSAFE_IN_NAME.sub(" ", unicodedata.normalize("NFC", str(text)))
    return " ".join(text.split()).strip(" .")[:limit].rstrip(" .")


def stem_of(original_name):
    """The uploaded file's name without its folders (as sent by the browser) nor its extension."""
    base = posixpath.basename(str(original_name).replace("\\", "/"))
    stem, dot, _extension = base.rpartition(".")
    return readable(stem if dot and stem else base)


def same_words(first, second):
    return slugify(str(first).replace("_", " ")) == slugify(str(second).replace("_", " "))


def entry_name(folder, parts, extension, used):
    """``folder/part1 - part2.ext``, each part once, made unique in the archive (" (2)", whatever the case)."""
    kept = []
    for part in parts:
        if part and not any(same_words(part, other) for other in kept):
            kept.append(part)
    stem = " - ".join(kept)
    extension = extension.lower() if extension.startswith(".") and extension[1:].isalnum() else ""
    candidate, number = f"{stem}{extension}", 1
    while f"{folder}/{candidate}".casefold() in used:
        number += 1
        candidate = f"{stem} ({number}){extension}"
    name = f"{folder}/{candidate}"
    used.add(name.casefold())
    return name


def zip_info(entry):
    """The archive's header of ``entry``: its name, its upload time in Paris (zip times have no time zone), and
    ordinary read permissions for whoever extracts it."""
    local = timezone.localtime(entry.modified, timezone.get_default_timezone())
    info = zipfile.ZipInfo(entry.name, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


class _Sink:
    """A write-only, unseekable file for ZipFile: what is written waits in ``chunks`` until taken."""

    def __init__(self):
        self.chunks = []
        self.position = 0

    def write(self, data):
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self):
        return self.position

    def flush(self):
        pass

    def take(self):
        data, self.chunks = b"".join(self.chunks), []
        return data


def stream_zip(entries):
    """Yield the bytes of a zip archive of ``entries`` as it is written, a chunk at a time (nothing in memory)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            try:
                source = entry.file.open("rb")
            except OSError:  # a file lost from the storage: the archive holds the others
                continue
            with source, archive.open(zip_info(entry), mode="w", force_zip64=True) as target:
                while chunk := source.read(CHUNK_SIZE):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
