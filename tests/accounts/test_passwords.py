"""Password strength beside Django's validators: no repeated characters, no keyboard runs
(issue 14, item 8). The messages are Chinese in the UI."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.validators import (
    KeyboardRunValidator,
    RepeatedCharactersValidator,
    keyboard_run_share,
)
from tests.conftest import PASSWORD

REPEATED = ["aaaaaaaaaaaa", "abababababab", "111122221111", "abcdefabcdef", "Passw0rd!Passw0rd!"]
KEYBOARD = [
    "qwertyuiopasdf",
    "1qaz2wsx3edc",
    "asdfghjkl;'zx",
    "zaq12wsxcde3",
    "!QAZ@WSX#EDC",
    "poiuytrewqlkj",
    "abcdefghijklm",
    "0987654321zxcv",
    "Qwerty2026!!",
]
GOOD = [
    PASSWORD,
    "demo-pass-2026",
    "a-much-longer-passphrase-42",
    "new-staff-passphrase-7",
    "a-fresh-passphrase-2026",
    "红帆支部-2026-胶南",
    "Tr0ub4dor&3-horse",
]


@pytest.mark.parametrize("password", REPEATED)
def test_repeated_characters_are_refused(password):
    with pytest.raises(ValidationError) as refused:
        RepeatedCharactersValidator().validate(password)
    assert refused.value.code == "password_repeated"


@pytest.mark.parametrize("password", KEYBOARD)
def test_keyboard_runs_are_refused(password):
    with pytest.raises(ValidationError) as refused:
        KeyboardRunValidator().validate(password)
    assert refused.value.code == "password_keyboard_run"


@pytest.mark.parametrize("password", GOOD)
def test_ordinary_passphrases_pass_every_validator(password, db):
    validate_password(password)  # raises if any validator refuses


def test_the_share_counts_only_runs_of_four_or_more():
    assert keyboard_run_share("qwe-asd-zxc-rty") == 0  # runs of three
    assert keyboard_run_share("qwer-xxxxxxx") == 4 / 12
    assert keyboard_run_share("") == 0


def test_a_huge_password_is_judged_quickly(db):
    start = time.monotonic()
    with pytest.raises(ValidationError):
        validate_password("qwer" * 25_000)
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(
    "password, message",
    [
        ("aaaaaaaaaaaaaaaa", "重复字符太多"),
        ("qwertyuiopasdf", "键盘上相邻的按键"),
        ("1qaz2wsx3edc", "键盘上相邻的按键"),
        ("asdfghjkl;'", "键盘上相邻的按键"),
    ],
)
def test_the_password_change_page_says_why_in_chinese(staff, staff_client, password, message):
    response = staff_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_an_admin_cannot_give_a_user_a_keyboard_run(admin_client, staff):
    response = admin_client.post(
        reverse("accounts:user_password", args=[staff.pk]),
        {"password1": "1qaz2wsx3edc4rfv", "password2": "1qaz2wsx3edc4rfv"},
    )
    assert response.status_code == 200
    assert "键盘上相邻的按键" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
