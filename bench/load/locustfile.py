"""Mixed load of signed-in users: the enterprise list, search, enterprise pages and the
dashboard; optionally one editor saving records (Editor). Run through bench/load/run.sh,
which starts gunicorn in production mode."""

import os
import random
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from locust import HttpUser, between, constant, task

USERS = os.environ.get("LOAD_USERS", "district_leader,jiaonan_staff,jiaonan_leader").split(",")
PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-pass-2026")
SEARCHES = ["机械", "青岛海", "科技有", "制造", "海容商", "MA3", "物流", "电子"]
FILTERS = [
    {},
    {"coverage": "uncovered"},
    {"band": "many"},
    {"industry": "C", "status": "operating"},
    {"should_form": "1"},
    {"liaison": "1"},
]


def login(user):
    page = user.client.get("/accounts/login/", name="login page")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = user.client.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": user.host + "/accounts/login/"},
        name="login",
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"login failed for {user.username}: {response.status_code}")


class Reader(HttpUser):
    wait_time = between(0, 0.2)

    def on_start(self):
        self.username = random.choice(USERS)
        login(self)
        self.ids = []

    @task(4)
    def enterprise_list(self):
        params = dict(random.choice(FILTERS), page=random.randint(1, 20))
        response = self.client.get("/enterprises/", params=params, name="list")
        self.ids = re.findall(r'href="/enterprises/(\d+)/"', response.text) or self.ids

    @task(2)
    def search(self):
        self.client.get("/enterprises/", params={"q": random.choice(SEARCHES)}, name="search")

    @task(3)
    def enterprise_page(self):
        if not self.ids:
            return self.enterprise_list()
        self.client.get(f"/enterprises/{random.choice(self.ids)}/", name="enterprise page")

    @task(1)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")


class ListOnly(HttpUser):
    """The list pages on their own, from locust (LOCUST_CLASS=ListOnly); run.sh's "list"
    drives them with wrk instead."""

    wait_time = between(0, 0)
    on_start = Reader.on_start

    @task
    def enterprise_list(self):
        params = dict(random.choice(FILTERS), page=random.randint(1, 20))
        self.client.get("/enterprises/", params=params, name="list")


class Editor(HttpUser):
    """One member of staff recording a membership return dated today every 5 s, for the
    mixed load with writes (LOCUST_CLASS="Reader Editor"). Every committed write moves
    the version counters of its street (``core.versions``), so the readers' next view of
    that street's lists is computed afresh."""

    fixed_count = 1
    wait_time = constant(5)

    def on_start(self):
        self.username = "jiaonan_staff"
        login(self)
        self.ids = []

    @task
    def record_return(self):
        if not self.ids:  # enterprises not yet given a return today, from a random page
            page = self.client.get("/enterprises/", params={"page": random.randint(1, 400)})
            self.ids = re.findall(r'href="/enterprises/(\d+)/"', page.text)
        pk = self.ids.pop(random.randrange(len(self.ids)))
        form = self.client.get(f"/enterprises/{pk}/returns/new/", name="return form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        with self.client.post(
            f"/enterprises/{pk}/returns/new/",
            {
                "csrfmiddlewaretoken": token,
                "reported_on": datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat(),
                "formal": random.randint(0, 6),
                "probationary": 0,
                "development_targets": 0,
                "activists": 0,
                "applicants": 0,
            },
            headers={"Referer": f"{self.host}/enterprises/{pk}/returns/new/"},
            name="save return",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"not saved: {response.status_code}")
