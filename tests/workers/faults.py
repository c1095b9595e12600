"""Loaded by the worker started in tests: makes one PDF render slow when a flag file exists.

It patches WeasyPrint itself, so that it reaches every caller whatever they imported.
"""

import os
import time
from pathlib import Path

import weasyprint

_real_write_pdf = weasyprint.HTML.write_pdf


def slow_once_write_pdf(self, *args, **kwargs):
    flag = Path(os.environ.get("PTCE_WORKER_SLOW_FLAG", "/nonexistent"))
    if flag.exists():
        flag.unlink()
        Path(f"{flag}.started").touch()
        time.sleep(60)
    return _real_write_pdf(self, *args, **kwargs)


weasyprint.HTML.write_pdf = slow_once_write_pdf
