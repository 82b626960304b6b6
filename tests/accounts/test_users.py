import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import Event
from tests.factories import UserFactory

NEW_PASSWORD = "new-staff-passphrase-7"


@pytest.mark.parametrize("persona", ["staff_client", "leader_client"])
@pytest.mark.parametrize(
    "url",
    [
        "accounts:user_list",
        "accounts:user_create",
        "accounts:audit_changes",
        "accounts:audit_events",
    ],
)
def test_only_admins_reach_user_management(request, persona, url):
    client = request.getfixturevalue(persona)
    assert client.get(reverse(url)).status_code == 403


def test_admin_lists_and_searches_users(admin_client, staff, leader, stranger):
    response = admin_client.get(reverse("accounts:user_list"), {"q": "jn_"})
    names = [u.username for u in response.context["object_list"]]
    assert names == ["jn_leader", "jn_staff"]
    response = admin_client.get(reverse("accounts:user_list"), {"role": "leader"})
    assert [u.username for u in response.context["object_list"]] == ["jn_leader"]


def test_admin_creates_a_staff_user_who_can_sign_in(admin_client, jiaonan, client):
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "new_staff",
            "full_name": "王小明",
            "phone": "",
            "role": "staff",
            "area": jiaonan.pk,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="new_staff")
    assert user.area == jiaonan and user.role == "staff"
    assert client.login(username="new_staff", password=NEW_PASSWORD)
    (created,) = user.history().filter(action="create")
    assert created.actor is not None and created.changes["role"] == [None, "staff"]
    assert "password" not in created.changes


def test_create_user_rejects_a_weak_password_and_writes_nothing(admin_client, jiaonan):
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "weak",
            "role": "staff",
            "area": jiaonan.pk,
            "password1": "abc",
            "password2": "abc",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(username="weak").exists()


def test_admin_edits_role_area_and_active(admin_client, staff, hongshiya):
    response = admin_client.post(
        reverse("accounts:user_edit", args=[staff.pk]),
        {
            "version": staff.version,  # the version the form was opened at (required)
            "username": staff.username,
            "full_name": "改名",
            "phone": "",
            "role": "leader",
            "area": hongshiya.pk,
            "is_active": "",
        },
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.role, staff.area, staff.is_active, staff.full_name) == (
        "leader",
        hongshiya,
        False,
        "改名",
    )
    change = staff.history().filter(action="update").latest("id")
    assert change.changes["role"] == ["staff", "leader"]


def test_admin_cannot_demote_or_deactivate_themselves(admin_client, admin_user, jiaonan):
    admin_client.post(
        reverse("accounts:user_edit", args=[admin_user.pk]),
        {
            "version": admin_user.version,  # the version the form was opened at (required)
            "username": "admin",
            "full_name": "",
            "phone": "",
            "role": "leader",
            "area": jiaonan.pk,
            "is_active": "",
        },
    )
    admin_user.refresh_from_db()
    assert admin_user.role == "admin" and admin_user.is_active
    admin_client.post(reverse("accounts:user_deactivate", args=[admin_user.pk]))
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_deactivate_asks_for_confirmation_then_deactivates(admin_client, staff, client):
    url = reverse("accounts:user_deactivate", args=[staff.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and staff.username in page.content.decode()
    staff.refresh_from_db()
    assert staff.is_active  # GET changes nothing
    admin_client.post(url)
    staff.refresh_from_db()
    assert not staff.is_active
    assert not client.login(username=staff.username, password="correct-horse-battery")


def test_admin_resets_a_password(admin_client, staff, client):
    response = admin_client.post(
        reverse("accounts:user_password", args=[staff.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.login(username=staff.username, password=NEW_PASSWORD)
    assert Event.objects.filter(kind=Event.Kind.PASSWORD_RESET, username=staff.username).exists()


def test_reset_password_mismatch_is_explained(admin_client, staff):
    response = admin_client.post(
        reverse("accounts:user_password", args=[staff.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )
    assert "两次输入的密码不一致" in response.content.decode()


def test_user_list_query_count_does_not_grow(admin_client, jiaonan, django_assert_max_num_queries):
    UserFactory.create_batch(30, area=jiaonan)
    # session, user, count, current area, area switcher, the page, session save
    # (+ savepoints of ATOMIC_REQUESTS), the navigation's alert badge (data version + one
    # count per alert; cached outside tests); 30 rows must not add any.
    with django_assert_max_num_queries(18):
        response = admin_client.get(reverse("accounts:user_list"))
    assert response.status_code == 200


def test_district_user_remembers_the_area_being_viewed(district, jiaonan, hongshiya, areas):
    from django.test import Client

    user = UserFactory(username="dl", role="leader", area=district)
    client = Client()
    client.force_login(user)
    client.post(reverse("accounts:viewing_area"), {"area": jiaonan.pk, "next": "/"})
    user.refresh_from_db()
    assert user.current_area == jiaonan
    # A fresh session (next day) still looks at 胶南街道.
    other = Client()
    other.force_login(user)
    assert "胶南街道" in other.get("/").content.decode()


def test_viewing_area_outside_scope_is_refused(staff_client, staff, hongshiya):
    staff_client.post(reverse("accounts:viewing_area"), {"area": hongshiya.pk})
    staff.refresh_from_db()
    assert staff.current_area == staff.area


def test_a_system_admin_created_in_the_app_can_edit_reference_data(admin_client, jiaonan):
    from django.test import Client

    admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "second_admin",
            "full_name": "",
            "phone": "",
            "role": "admin",
            "area": jiaonan.pk,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    client = Client()
    assert client.login(username="second_admin", password=NEW_PASSWORD)
    assert client.get("/django-admin/areas/area/").status_code == 200
    assert client.get(f"/django-admin/areas/area/{jiaonan.pk}/change/").status_code == 200


def test_staff_and_leaders_cannot_reach_the_django_admin(staff_client, leader_client):
    for client in (staff_client, leader_client):
        response = client.get("/django-admin/areas/area/")
        assert response.status_code == 302 and "/login/" in response.url
