"""gunicorn for bench/run.py: 2 sync workers (the issue's setup); the address comes from the command line."""

workers = 2
worker_class = "sync"
timeout = 120
accesslog = None
errorlog = "-"
loglevel = "warning"
