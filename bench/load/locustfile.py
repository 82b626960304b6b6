"""Mixed load of signed-in users: the enterprise list, search, enterprise pages and the
dashboard. Run through bench/load/run.sh, which starts gunicorn in production mode."""

import os
import random
import re

from locust import HttpUser, between, task

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


class Reader(HttpUser):
    wait_time = between(0, 0.2)

    def on_start(self):
        self.username = random.choice(USERS)
        page = self.client.get("/accounts/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login failed for {self.username}: {response.status_code}")
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
    """For the "list pages on their own" throughput figure (LOAD_CLASS=ListOnly)."""

    wait_time = between(0, 0)
    on_start = Reader.on_start

    @task
    def enterprise_list(self):
        params = dict(random.choice(FILTERS), page=random.randint(1, 20))
        self.client.get("/enterprises/", params=params, name="list")
