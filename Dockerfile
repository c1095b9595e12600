# Image for the web, worker and beat services of docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango and HarfBuzz; fonts for PDF notices come from django-dsfr (Marianne).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 shared-mime-info fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt

COPY . .
RUN useradd --system --home /app ptce && mkdir -p /app/var && chown -R ptce /app/var
USER ptce

EXPOSE 8000
# --timeout 60: a sync worker silent for longer is killed and the request gets an error page. Every request answers
# in about a second, even with the broker down (tasks are recorded and sent by the sweep, sending gives up within a
# second); the slowest legitimate one is a 10 MB attachment uploaded over a slow line straight to gunicorn (no
# buffering proxy in docker-compose), about 40 s at 2 Mbit/s. 30 s (gunicorn's default) would cut it; a longer
# value would only keep a stuck worker out of service longer. --graceful-timeout 30: a restart lets requests end.
# docker-compose.yml runs the same command.
CMD ["gunicorn", "ptce_ami.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--graceful-timeout", "30", "--access-logfile", "-"]
