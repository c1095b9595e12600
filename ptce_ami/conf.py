"""Strict readers of environment variables, on top of django-environ.

django-environ reads "maybe" as False and "ftp://" as a database; these helpers refuse such values so
that a typo in a deployment stops the start-up with a clear message instead of running half-configured.
Secrets can also be given as files: ``SECRET_KEY_FILE=/run/secrets/key`` (Docker and Kubernetes style).
"""

import ipaddress
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


class Env(environ.FileAwareEnv):
    def bool(self, var, default=environ.Env.NOTSET):
        raw = self.str(var, default=None)
        if raw is None:
            if default is environ.Env.NOTSET:
                raise ImproperlyConfigured(f"Set the {var} environment variable.")
            return default
        value = raw.strip().lower()
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        raise ImproperlyConfigured(f"{var}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")

    def int(self, var, default=environ.Env.NOTSET):
        raw = self.str(var, default=None)
        if raw is None:
            if default is environ.Env.NOTSET:
                raise ImproperlyConfigured(f"Set the {var} environment variable.")
            return default
        try:
            return int(raw.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{var}={raw!r} is not an integer.") from None

    def secret(self, var, default=environ.Env.NOTSET):
        """A secret: read from VAR or from the file named by VAR_FILE; never empty when required."""
        value = self.str(var, default=None)
        if value:
            return value
        if default is environ.Env.NOTSET:
            raise ImproperlyConfigured(f"Set the {var} (or {var}_FILE) environment variable.")
        return default

    def url_string(self, var, default=environ.Env.NOTSET):
        value = self.str(var, default=default).rstrip("/")
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ImproperlyConfigured(f"{var}={value!r} is not an http(s) URL.")
        return value

    def ip_networks(self, var, default=environ.Env.NOTSET):
        """Comma-separated IP addresses or networks ("10.0.0.0/8, ::1"), as a list of strings in CIDR form."""
        raw = self.str(var, default=None)
        if raw is None:
            if default is environ.Env.NOTSET:
                raise ImproperlyConfigured(f"Set the {var} environment variable.")
            return default
        networks = []
        for item in filter(None, (part.strip() for part in raw.split(","))):
            try:
                networks.append(str(ipaddress.ip_network(item, strict=False)))
            except ValueError:
                raise ImproperlyConfigured(f"{var}: {item!r} is not an IP address or network.") from None
        return networks

    def db(self, var="DATABASE_URL", default=environ.Env.NOTSET, engine=None):
        url = self.str(var, default=default)
        scheme = urlparse(url).scheme
        if scheme not in ("sqlite", "postgres", "postgresql", "pgsql", "psql"):
            raise ImproperlyConfigured(f"{var} must be a postgres:// or sqlite:/// URL, not {scheme or url!r}.")
        return self.db_url_config(url, engine=engine)

    def email_url(self, var="EMAIL_URL", default=environ.Env.NOTSET, backend=None):
        url = self.str(var, default=default)
        scheme = urlparse(url).scheme
        if scheme not in self.EMAIL_SCHEMES:
            known = ", ".join(sorted(self.EMAIL_SCHEMES))
            raise ImproperlyConfigured(f"{var} has an unknown scheme {scheme!r}; use one of {known}.")
        return self.email_url_config(url, backend=backend)
