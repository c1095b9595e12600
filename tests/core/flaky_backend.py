"""An e-mail backend for tests: the in-memory one, after raising the errors queued in ``FAILURES``, one per
sending. Point ``settings.EMAIL_BACKEND`` at ``tests.core.flaky_backend.FlakyBackend`` (fixture ``flaky``).
"""

from django.core.mail.backends.locmem import EmailBackend

# Errors to raise, one per sending, before sending for real.
FAILURES = []


class FlakyBackend(EmailBackend):
    def send_messages(self, messages):
        if FAILURES:
            raise FAILURES.pop(0)
        return super().send_messages(messages)
