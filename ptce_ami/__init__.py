# The Celery app is loaded with Django so that @shared_task binds to it (Celery's Django guide).
from ptce_ami.celery import app as celery_app

__version__ = "0.1.0"
__all__ = ["celery_app", "__version__"]
