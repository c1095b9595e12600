"""Tasks of the accounts: the daily purge of the API's call log."""

from ptce_ami.accounts.services import purge_api_calls
from ptce_ami.core.queue import durable_task
from ptce_ami.core.sweeps import sweep_run


@durable_task("accounts.purge_api_calls")
def purge_api_calls_task(self):
    """Sweep (beat, every night): delete the API calls older than API_CALL_RETENTION_DAYS days."""
    with sweep_run("accounts.purge_api_calls") as run:
        run.processed += purge_api_calls()
    return run.processed
