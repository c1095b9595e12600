"""Record each run of a periodic sweep as a ``SweepRun``, for operators in the admin.

    with sweep_run("applications.remind_drafts") as run:
        for batch in ...:
            run.processed += len(batch)

The row is written when the run starts (a run that never finishes shows as such), then stamped with its end,
the count and, on an exception, the error — the exception is raised again so the task fails visibly.
"""

from contextlib import contextmanager

from django.utils import timezone

from ptce_ami.core.models import SweepRun


@contextmanager
def sweep_run(name):
    run = SweepRun.objects.create(name=name)
    try:
        yield run
    except Exception as error:
        run.error = f"{error.__class__.__name__}: {error}"
        raise
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at", "processed", "error"])
