"""No record can be silently overwritten by a second editor (issue 14, item 5).

The test finds every edit view itself, by walking the URL patterns (as
tests/test_url_security.py does): every view that is an UpdateView. For each it opens the
form twice (two editors), saves both, and asserts the second save is refused with the
conflict page and nothing of the first was overwritten. A new edit view is covered the day
it is added; one without optimistic locking fails here.
"""

import datetime as dt

import pytest
from django import forms
from django.test import Client
from django.views.generic.edit import BaseUpdateView

from accounts.permissions import AdminRequiredMixin
from tests.factories import make_in_street
from tests.test_url_security import ALL, build_url, takes_pk, view_class

EDIT_VIEWS = [
    (name, route, pattern)
    for name, route, pattern in ALL
    if takes_pk(route)
    and view_class(pattern) is not None
    and issubclass(view_class(pattern), BaseUpdateView)
]
IDS = [name for name, _, _ in EDIT_VIEWS]


def test_the_walk_finds_every_edit_view():
    assert {
        "enterprises:edit",
        "enterprises:organization_edit",
        "enterprises:return_edit",
        "enterprises:massorg_edit",
        "enterprises:liaison_edit",
        "enterprises:transfer_edit",
        "accounts:user_edit",
    } <= set(IDS)


def form_data(form):
    """What a browser would post for this form as shown (unchanged)."""
    data = {}
    for bound in form:
        field = bound.field
        if field.disabled:
            continue
        value = bound.value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is None:
            data[bound.html_name] = ""
        elif isinstance(value, dt.date):
            data[bound.html_name] = field.widget.format_value(value)
        else:
            data[bound.html_name] = str(value)
    return data


def a_change(form, n):
    """(field name, a new value) of the first field that can be changed without knowing
    the form: a plain text field (not unique), else a number, else a date."""
    model = form._meta.model
    unique = {f.name for f in model._meta.fields if f.unique}
    data = form_data(form)
    fields = [(name, field) for name, field in form.fields.items() if not field.disabled]
    for name, field in fields:
        if type(field) is forms.CharField and name not in unique and not field.widget.is_hidden:
            return name, (data[name] + "改甲乙"[n])[: field.max_length or 50]
    for name, field in fields:
        if isinstance(field, forms.IntegerField) and not field.widget.is_hidden:
            return name, str(int(data[name] or 0) + n)
    for name, field in fields:
        if isinstance(field, forms.DateField) and data[name]:
            return name, (dt.date.fromisoformat(data[name]) - dt.timedelta(days=n)).isoformat()
    raise AssertionError(f"{type(form).__name__}: no field this test knows how to change")


def errors_of(response):
    form = response.context and response.context.get("form")
    return form.errors.as_data() if form is not None else response.status_code


@pytest.fixture
def editors(staff, admin_user):
    """Two editors per kind of view: staff and an admin; two admins for admin pages."""

    def make(cls):
        users = (
            (admin_user, admin_user) if issubclass(cls, AdminRequiredMixin) else (staff, admin_user)
        )
        clients = []
        for user in users:
            client = Client()
            client.force_login(user)
            clients.append(client)
        return clients

    return make


@pytest.mark.parametrize("name, route, pattern", EDIT_VIEWS, ids=IDS)
def test_the_second_of_two_editors_is_refused(editors, jiaonan, name, route, pattern):
    cls = view_class(pattern)
    record = make_in_street(cls.model, jiaonan)
    version = record.version
    url = build_url(route, record.pk)
    mine, theirs = editors(cls)
    my_form = mine.get(url).context["form"]
    their_form = theirs.get(url).context["form"]
    field, their_value = a_change(their_form, 1)
    _, my_value = a_change(my_form, 2)

    their_data = {**form_data(their_form), field: their_value}
    response = theirs.post(url, their_data)
    assert response.status_code == 302, errors_of(response)

    my_data = {**form_data(my_form), field: my_value}
    response = mine.post(url, my_data)
    assert response.status_code == 200
    assert response.context["stale"] == "changed"
    assert "其他人修改了这条记录" in response.content.decode()

    record.refresh_from_db()
    assert record.version == version + 1
    shown = form_data(theirs.get(url).context["form"])
    assert shown[field] == their_value  # theirs kept, mine not written


@pytest.mark.parametrize("name, route, pattern", EDIT_VIEWS, ids=IDS)
@pytest.mark.parametrize("version", [None, "", "abc", "-1", "0", "9" * 30, "１"])
def test_a_post_without_a_usable_version_is_refused(
    editors, jiaonan, name, route, pattern, version
):
    cls = view_class(pattern)
    record = make_in_street(cls.model, jiaonan)
    url = build_url(route, record.pk)
    client, _ = editors(cls)
    form = client.get(url).context["form"]
    field, value = a_change(form, 1)
    before = form_data(form)[field]
    data = {**form_data(form), field: value}
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["stale"] == "unversioned"
    assert "没有带上记录的版本" in response.content.decode()
    record.refresh_from_db()
    assert record.version == 1
    assert form_data(client.get(url).context["form"])[field] == before


@pytest.mark.parametrize(
    "opened_at", ["0001-01-01", "9999-12-31T23:59:59", "2024-02-30T00:00", "x" * 5000, "\x00"]
)
def test_an_extreme_opened_at_does_not_break_the_conflict_page(
    staff_client, admin_client, shuicheng, opened_at
):
    from tests.factories import EnterpriseFactory

    enterprise = EnterpriseFactory(community=shuicheng)
    url = f"/enterprises/{enterprise.pk}/edit/"
    mine = staff_client.get(url).context["form"]
    theirs = admin_client.get(url).context["form"]
    assert admin_client.post(url, {**form_data(theirs), "name": "他们改的"}).status_code == 302
    response = staff_client.post(url, {**form_data(mine), "name": "我改的", "opened_at": opened_at})
    assert response.status_code == 200 and response.context["stale"] == "changed"
    enterprise.refresh_from_db()
    assert enterprise.name == "他们改的"


# ---------------------------------------------------------------------------
# Writers other than the edit views make open forms stale too.


def test_a_change_in_the_django_admin_makes_open_forms_stale(staff_client, admin_client, jiaonan):
    from enterprises.models import Liaison

    liaison = make_in_street(Liaison, jiaonan)
    url = f"/enterprises/liaisons/{liaison.pk}/edit/"
    mine = staff_client.get(url).context["form"]
    admin_url = f"/django-admin/enterprises/liaison/{liaison.pk}/change/"
    admin_form = admin_client.get(admin_url).context["adminform"].form
    response = admin_client.post(admin_url, {**form_data(admin_form), "unit": "后台改的"})
    assert response.status_code == 302
    response = staff_client.post(url, {**form_data(mine), "unit": "我改的"})
    assert response.status_code == 200 and response.context["stale"] == "changed"
    liaison.refresh_from_db()
    assert (liaison.unit, liaison.version) == ("后台改的", 2)


def test_an_import_makes_open_forms_of_returns_and_mass_organisations_stale(staff, shuicheng):
    from enterprises.models import MassOrganization, MembershipReturn
    from ledger.importer import build_plan, commit
    from tests.factories import EnterpriseFactory, MassOrganizationFactory, MembershipReturnFactory
    from tests.ledger.conftest import code, read_bytes, row, table, xlsx_bytes

    e = EnterpriseFactory(uscc=code(1), community=shuicheng, name="青岛导入测试1有限公司")
    ret = MembershipReturnFactory(enterprise=e, reported_on=dt.date(2024, 6, 30), formal=2)
    union = MassOrganizationFactory(enterprise=e, kind="union", established_on=dt.date(2020, 1, 1))
    rows = [row(1, return_date="2024/6/30", formal=3, union="2021-01-01")]
    commit(build_plan(read_bytes(xlsx_bytes(table(rows))), staff), user=staff)
    assert MembershipReturn.objects.get(pk=ret.pk).version == 2
    assert MassOrganization.objects.get(pk=union.pk).version == 2
