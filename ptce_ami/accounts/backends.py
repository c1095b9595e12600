from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Log in by e-mail address, whatever its case."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email", username)
        if email:
            email = email.strip()
        return super().authenticate(request, username=email, password=password, **kwargs)


def lockout_username(request, credentials):
    """The e-mail address django-axes counts failures for: without case or spaces, as EmailBackend compares it, so
    that "Marie@X.fr " and "marie@x.fr" share one counter."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return username.strip().lower()
