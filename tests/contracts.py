"""The view contract every model of every part keeps, reused by each app in a few lines.

Subclass ``ModelViewsContract`` in a test module (the class name must start with
``Test``) and fill in the names; every test below then runs for that model:

    class TestPatrolViews(ModelViewsContract):
        list_url = "kitdemo:list"
        detail_url = "kitdemo:detail"
        ...

        def make(self, community): ...        # one record in this community
        def create_data(self, community): ... # a valid POST for the create form
        def update_data(self, obj): ...       # a valid POST for the edit form (a change)

``None`` for a URL name leaves out the tests of that page (a model without a delete
view has no delete test, rather than a skipped one).
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook


def text(response):
    return response.content.decode()


class ModelViewsContract:
    model = None
    list_url = None  # URL name of the list
    detail_url = None  # URL names below take the record's pk
    create_url = None
    update_url = None
    end_url = None
    end_field = None  # the end form's field
    delete_url = None
    export_kind = None
    query_budget = 25  # a list page or a record page, whatever the number of rows
    shown = str  # what of a record its list and page show

    def make(self, community):
        raise NotImplementedError

    def create_data(self, community):
        raise NotImplementedError

    def update_data(self, obj):
        raise NotImplementedError

    def changed(self, obj):
        """Whether ``obj`` (refreshed) carries the change ``update_data`` made."""
        raise NotImplementedError

    # Tests that only apply when the model has the page (or the export).
    OPTIONAL = {
        "create_url": ("test_create", "test_create_refuses_bad_input_and_writes_nothing"),
        "update_url": ("test_update",),
        "end_url": ("test_end",),
        "delete_url": ("test_delete_asks_first",),
        "export_kind": ("test_export", "test_list_links_to_its_export"),
    }

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for attribute, tests in cls.OPTIONAL.items():
            if getattr(cls, attribute) is None:
                for name in tests:
                    setattr(cls, name, None)  # not collected

    # -- helpers -----------------------------------------------------------

    def url(self, name, obj=None):
        return reverse(name, args=[obj.pk] if obj is not None else [])

    # -- reading -----------------------------------------------------------

    @pytest.mark.django_db
    def test_list_shows_the_record(self, staff_client, shuicheng):
        obj = self.make(shuicheng)
        response = staff_client.get(self.url(self.list_url))
        assert response.status_code == 200
        assert str(self.shown(obj)) in text(response)

    @pytest.mark.django_db
    def test_list_is_empty_for_a_stranger(self, stranger_client, shuicheng):
        obj = self.make(shuicheng)
        response = stranger_client.get(self.url(self.list_url))
        assert response.status_code == 200
        assert str(self.shown(obj)) not in text(response)

    @pytest.mark.django_db
    def test_record_page(self, staff_client, leader_client, shuicheng):
        obj = self.make(shuicheng)
        for client in (staff_client, leader_client):
            response = client.get(self.url(self.detail_url, obj))
            assert response.status_code == 200
            assert str(self.shown(obj)) in text(response)

    @pytest.mark.django_db
    def test_stranger_gets_404(self, stranger_client, shuicheng):
        obj = self.make(shuicheng)
        assert stranger_client.get(self.url(self.detail_url, obj)).status_code == 404
        for name in (self.update_url, self.end_url, self.delete_url):
            if name is not None:
                assert stranger_client.get(self.url(name, obj)).status_code == 404, name
                assert stranger_client.post(self.url(name, obj)).status_code == 404, name

    @pytest.mark.django_db
    def test_leader_gets_403_for_every_write(self, leader_client, shuicheng):
        obj = self.make(shuicheng)
        writes = [self.url(self.create_url)] if self.create_url else []
        writes += [
            self.url(name, obj)
            for name in (self.update_url, self.end_url, self.delete_url)
            if name is not None
        ]
        assert writes
        for url in writes:
            assert leader_client.get(url).status_code == 403, url
            assert leader_client.post(url).status_code == 403, url

    @pytest.mark.django_db
    def test_list_query_budget(self, staff_client, shuicheng, django_assert_max_num_queries):
        url = self.url(self.list_url)
        self.make(shuicheng)
        with django_assert_max_num_queries(self.query_budget) as few:
            assert staff_client.get(url).status_code == 200
        for _ in range(6):
            self.make(shuicheng)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = staff_client.get(url)
        assert response.context["page_obj"].paginator.count >= 7

    @pytest.mark.django_db
    def test_record_page_query_budget(self, staff_client, shuicheng, django_assert_max_num_queries):
        obj = self.make(shuicheng)
        with django_assert_max_num_queries(self.query_budget):
            assert staff_client.get(self.url(self.detail_url, obj)).status_code == 200

    # -- writing -----------------------------------------------------------

    @pytest.mark.django_db
    def test_create(self, staff_client, shuicheng):
        url = self.url(self.create_url)
        assert staff_client.get(url).status_code == 200
        before = self.model.objects.count()
        response = staff_client.post(url, self.create_data(shuicheng))
        assert response.status_code == 302, response.context and response.context["form"].errors
        assert self.model.objects.count() == before + 1

    @pytest.mark.django_db
    def test_create_refuses_bad_input_and_writes_nothing(self, staff_client, shuicheng):
        before = self.model.objects.count()
        response = staff_client.post(self.url(self.create_url), {})
        assert response.status_code == 200
        assert response.context["form"].errors
        assert self.model.objects.count() == before

    @pytest.mark.django_db
    def test_update(self, staff_client, shuicheng):
        obj = self.make(shuicheng)
        url = self.url(self.update_url, obj)
        form = staff_client.get(url).context["form"]
        data = {**self.update_data(obj)}
        for name in ("version", "opened_at"):
            if name in form.fields:
                data[name] = form[name].value()
        response = staff_client.post(url, data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        obj.refresh_from_db()
        assert self.changed(obj)

    @pytest.mark.django_db
    def test_end(self, staff_client, shuicheng):
        obj = self.make(shuicheng)
        url = self.url(self.end_url, obj)
        assert staff_client.get(url).status_code == 200
        start = getattr(obj, obj.dated_fields[0])
        response = staff_client.post(url, {self.end_field: start.isoformat()})
        assert response.status_code == 200  # the end must be after the start
        assert "error" in text(response)
        response = staff_client.post(url, {self.end_field: _after(start)})
        assert response.status_code == 302
        obj.refresh_from_db()
        assert getattr(obj, obj.dated_fields[1]) is not None

    @pytest.mark.django_db
    def test_delete_asks_first(self, staff_client, shuicheng):
        obj = self.make(shuicheng)
        url = self.url(self.delete_url, obj)
        response = staff_client.get(url)
        assert response.status_code == 200 and str(obj) in text(response)
        assert self.model.objects.filter(pk=obj.pk).exists()
        assert staff_client.post(url).status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()

    @pytest.mark.django_db
    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_export(self, staff_client, stranger_client, shuicheng, fmt):
        obj = self.make(shuicheng)
        url = reverse("ledger:export", kwargs={"kind": self.export_kind, "fmt": fmt})
        mine, theirs = staff_client.get(url), stranger_client.get(url)
        assert mine.status_code == theirs.status_code == 200
        assert str(self.shown(obj)) in _exported_text(mine, fmt)
        assert str(self.shown(obj)) not in _exported_text(theirs, fmt)

    @pytest.mark.django_db
    def test_list_links_to_its_export(self, staff_client, shuicheng):
        page = text(staff_client.get(self.url(self.list_url)))
        assert reverse("ledger:export", kwargs={"kind": self.export_kind, "fmt": "xlsx"}) in page


def _after(day):
    import datetime as dt

    from django.utils import timezone

    return min(day + dt.timedelta(days=1), timezone.localdate()).isoformat()


def _exported_text(response, fmt):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return data.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row
    )
