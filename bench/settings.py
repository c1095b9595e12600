"""The bench's settings (issue 15): the product's, plus the bench's own URLconf (the floor) and a header giving the
number of SQL queries of each response. Used only by bench/seed.py and bench/run.py (gunicorn), never by the product.
"""

from ptce_ami.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]  # noqa: F405
# First, so that it counts every query of the request, the middleware's included.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
