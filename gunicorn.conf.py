"""gunicorn's settings for the web service (Dockerfile CMD and docker-compose.yml: `gunicorn -c gunicorn.conf.py`).

Limits at the edge (README, "Limites : taille des requêtes et débits"). In production gunicorn sits behind nginx
(deploy/nginx.conf), which buffers request bodies and answers slow clients; these limits hold even without it.
"""

import os

bind = "0.0.0.0:8000"
workers = 3

# A sync worker silent for longer is killed and the request gets an error page. Every request answers in about a
# second, even with the broker down (tasks are recorded and sent by the sweep, sending gives up within a second); the
# slowest legitimate one is a 10 MB attachment uploaded over a slow line straight to gunicorn (no buffering proxy in
# docker-compose), about 40 s at 2 Mbit/s. 30 s (gunicorn's default) would cut it; a longer value would only keep a
# stuck worker out of service longer. Behind nginx the body arrives whole and fast (nginx buffers it).
timeout = 60
# A restart lets running requests end.
graceful_timeout = 30

# Request line (method, path and query string): the longest URL of the platform is a filtered instruction list,
# well under 2 KB. Headers: browsers send about 20, cookies stay under 4 KB. Beyond, gunicorn answers 400 at once.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# The front-end proxies allowed to say the request came over HTTPS (X-Forwarded-Proto): the same as the addresses
# whose X-Forwarded-For the application believes (TRUSTED_PROXIES; ptce_ami.core.middleware). gunicorn never changes
# REMOTE_ADDR from a header: the application does, for those proxies only.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "") or "127.0.0.1,::1"

accesslog = "-"
