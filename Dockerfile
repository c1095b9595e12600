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
# gunicorn's settings (timeout, request line and header limits, proxies trusted for X-Forwarded-Proto) are in
# gunicorn.conf.py, where each is explained; docker-compose.yml runs the same command.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "ptce_ami.wsgi:application"]
