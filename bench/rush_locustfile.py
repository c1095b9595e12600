"""The deadline rush's browsers (issue 15, part 3), for locust; bench/rush.py writes the plan and starts it.

Two kinds of users, each with its own cookie jar: the session bench/rush.py opened for the account through the
login form before the rush (PBKDF2 is 0.4 s of CPU per login: porteurs who prepared their dossier are signed in).
- ``Porteur`` (``fixed_count`` = the plan's connections, 50): each carries its share of the 300 porteurs, in turn:
  opens the dossier's summary a few seconds before the porteur's planned click, and at the click posts the submit
  confirmation form with the page's CSRF token, then follows the redirect and reads the message the page shows:
  accepted ("Votre dossier est déposé le …") or refused ("La date limite de dépôt est passée (…)").
- ``Instructeur`` (30): browses the staff list (filters, sort, pages) and dossier pages (background ones and the
  ones just submitted) with a think time, until the plan's end.

Every request is recorded (name, start, duration, success) and every porteur's outcome too, in JSON files that
bench/rush.py reads. Plain Python and locust only: no Django here (gevent patches this process).
"""

import itertools
import json
import os
import random
import re
import time

import gevent
from locust import HttpUser, between, events, task
from locust.clients import HttpSession

PLAN = json.loads(open(os.environ["RUSH_PLAN"], encoding="utf-8").read())
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ACCEPTED = "Votre dossier est déposé le"
REFUSED = "La date limite de dépôt est passée ("
RECORDS = []  # every request: [name, start epoch, ms, ok]
OUTCOMES = []  # every porteur: its submission's result
SUBMITTED = []  # references accepted so far, which the instructeurs open too
PORTEUR_NUMBERS = itertools.count()
STAFF_NUMBERS = itertools.count()


@events.request.add_listener
def record(name, response_time, exception, start_time=None, **_kwargs):
    RECORDS.append([name, start_time or time.time(), round(response_time, 2), exception is None])


@events.quitting.add_listener
def dump(**_kwargs):
    with open(PLAN["records"], "w", encoding="utf-8") as output:
        json.dump({"requests": RECORDS, "outcomes": OUTCOMES}, output)


def sleep_until(moment):
    delay = moment - time.time()
    if delay > 0:
        gevent.sleep(delay)


def token_of(session, page):
    found = TOKEN.search(page)
    return found.group(1) if found else session.cookies.get("csrftoken", "")


class Porteur(HttpUser):
    fixed_count = PLAN["connections"]
    wait_time = between(1, 1)

    def on_start(self):
        number = next(PORTEUR_NUMBERS)
        self.share = PLAN["porteurs"][number :: PLAN["connections"]]

    @task
    def rush(self):
        for porteur in self.share:
            # Each porteur its own cookie jar: the session bench/rush.py opened through the login form.
            session = HttpSession(self.host, self.environment.events.request, self)
            session.cookies.update(porteur.pop("cookies"))
            self.submit(session, porteur)
            session.close()
        self.share = []
        if len(OUTCOMES) == len(PLAN["porteurs"]):
            self.environment.runner.quit()  # every porteur done: the run ends (the instructeurs with it)
        sleep_until(PLAN["end"] + 300)

    def submit(self, session, porteur):
        reference = porteur["reference"]
        summary = f"/dossiers/{reference}/recapitulatif/"
        sleep_until(porteur["submit_at"] - porteur["reading"])
        with session.get(summary, name="porteur: summary", catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"summary {page.status_code}")
            token = token_of(session, page.text)
        sleep_until(porteur["submit_at"])
        started = time.time()
        with session.post(
            f"/dossiers/{reference}/deposer/",
            data={"csrfmiddlewaretoken": token},
            headers={"Referer": f"{session.base_url}{summary}"},
            name="porteur: submit (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            ended = time.time()
            location = response.headers.get("Location", "")
            if response.status_code != 302:
                response.failure(f"submit {response.status_code}")
        outcome = {**porteur, "started": started, "ended": ended, "status": response.status_code}
        if response.status_code != 302:
            OUTCOMES.append({**outcome, "outcome": "error"})
            return
        kind = "refused" if location.endswith("/recapitulatif/") else "accepted"
        with session.get(location, name=f"porteur: page after submit ({kind})", catch_response=True) as page:
            text = page.text
            expected = ACCEPTED if kind == "accepted" else REFUSED
            shown = expected in text
            if page.status_code != 200 or not shown:
                page.failure(f"{kind}: {page.status_code}, message shown: {shown}")
        message = ""
        if shown:
            start = text.index(expected)
            message = re.sub(r"<[^>]+>|\s+", " ", text[start : text.index("<", start + len(expected))]).strip()
        OUTCOMES.append({**outcome, "outcome": kind, "message_shown": shown, "message": message})
        if kind == "accepted":
            SUBMITTED.append(reference)


class Instructeur(HttpUser):
    fixed_count = PLAN["staff_count"]
    wait_time = between(*PLAN["staff_think"])

    def on_start(self):
        self.client.cookies.update(PLAN["staff"][next(STAFF_NUMBERS)]["cookies"])
        sleep_until(PLAN["start"] + random.uniform(0, PLAN["staff_think"][1]))

    @task
    def browse(self):
        if time.time() > PLAN["end"]:
            sleep_until(PLAN["end"] + 300)  # the run stops before, once the porteurs are done
            return
        if random.random() < 0.5 or not (SUBMITTED or PLAN["staff_dossiers"]):
            url = random.choice(PLAN["staff_lists"])
            name = "instructeur: list /instruction/"
        else:
            pool = (
                SUBMITTED
                if SUBMITTED and (random.random() < 0.5 or not PLAN["staff_dossiers"])
                else PLAN["staff_dossiers"]
            )
            url = f"/instruction/dossiers/{random.choice(pool)}/"
            name = "instructeur: dossier page"
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"{url}: {page.status_code} {page.headers.get('Location', '')}")
