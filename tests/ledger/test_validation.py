"""Cell parsers and the checks within one row (no database)."""

import datetime as dt

import pytest
from django.utils import timezone

from enterprises import sheets as cols
from enterprises.sheets import clean_row
from ledger.cells import CellError, parse_date

from .conftest import bad_check, code

TODAY = timezone.localdate()
DATE = cols.BY_KEY["org_established"]


def values(**cells):
    return clean_row(7, cells)


def errors(row):
    return {(p.key, p.code) for p in row.errors}


@pytest.mark.parametrize(
    "raw, expected",
    [
        (dt.datetime(2024, 5, 19), dt.date(2024, 5, 19)),
        (45431, dt.date(2024, 5, 19)),  # an Excel serial
        (45431.0, dt.date(2024, 5, 19)),
        ("45431", dt.date(2024, 5, 19)),  # a serial stored as text
        ("2024-05-19", dt.date(2024, 5, 19)),
        ("2024/5/19", dt.date(2024, 5, 19)),
        ("2024.5.19", dt.date(2024, 5, 19)),
        ("2024年5月19日", dt.date(2024, 5, 19)),
        ("２０２４年５月１９日", dt.date(2024, 5, 19)),  # full-width digits
        (" 2024 年 5 月 19 日 ", dt.date(2024, 5, 19)),
        ("2024-05-19 00:00:00", dt.date(2024, 5, 19)),
        ("20240519", dt.date(2024, 5, 19)),
        (20240519, dt.date(2024, 5, 19)),
    ],
)
def test_dates(raw, expected):
    assert parse_date(raw, DATE) == expected


def test_a_month_only_is_the_first_of_the_month_with_a_note():
    notes = []
    assert parse_date("2023年5月", DATE, notes) == dt.date(2023, 5, 1)
    assert parse_date("2023-5", DATE) == dt.date(2023, 5, 1)
    assert [n.code for n in notes] == ["month_only"]
    row = values(org_name="甲党支部", org_established="2023年5月")
    assert row.values["org_established"] == dt.date(2023, 5, 1)
    assert [(n.key, n.code) for n in row.notes] == [("org_established", "month_only")]


@pytest.mark.parametrize(
    "raw, error",
    [
        ("2024-02-30", "bad_date"),
        ("2023年13月", "bad_date"),
        ("下周一", "not_a_date"),
        ("19.5.2024", "not_a_date"),
        (-3, "not_a_date"),
        (2024, "not_a_date"),  # a year typed into a date cell is not Excel day 2024 (1905)
        ("1948-01-01", "too_early"),
        (True, "not_a_date"),
    ],
)
def test_bad_dates(raw, error):
    with pytest.raises(CellError) as info:
        parse_date(raw, DATE)
    assert info.value.code == error


def test_future_dates_are_errors():
    tomorrow = TODAY + dt.timedelta(days=1)
    with pytest.raises(CellError) as info:
        parse_date(tomorrow.isoformat(), DATE)
    assert info.value.code == "future_date"
    row = values(union=f"{tomorrow.year + 1}年1月1日")
    assert errors(row) == {("union", "future_date"), ("uscc", "required")}


@pytest.mark.parametrize(
    "raw, expected",
    [(12, 12), (12.0, 12), ("12", 12), ("１２", 12), (" 12 ", 12), ("1,200", 1200), ("12人", 12)],
)
def test_counts_as_numbers_or_text(raw, expected):
    assert values(formal=raw, return_date="2024-01-01").values["formal"] == expected


@pytest.mark.parametrize(
    "raw, error",
    [
        (-1, "negative"),
        ("-3", "negative"),
        ("三", "not_a_number"),
        (1.5, "not_whole"),
        ("2.5", "not_whole"),
    ],
)
def test_bad_counts(raw, error):
    row = values(uscc=code(1), employees=raw)
    assert errors(row) == {("employees", error)}


def test_usccs_that_excel_turned_into_numbers_are_flagged_not_guessed():
    assert errors(values(uscc=913702110000000000)) == {("uscc", "uscc_number")}
    assert errors(values(uscc=9.1370211e17)) == {("uscc", "uscc_number")}
    assert errors(values(uscc="9.13702E+17")) == {("uscc", "uscc_scientific")}
    assert errors(values(uscc="9.13702e17")) == {("uscc", "uscc_scientific")}
    row = values(uscc=9.1370211e17)
    assert "9.13702E+17" in row.errors[0].message


def test_uscc_is_normalised_and_checked():
    valid = code(5)
    typed = "　".join([valid[:6], valid[6:12].lower(), valid[12:]])
    full_width = valid.translate(
        str.maketrans(
            "0123456789ABCDEFGHJKLMNPQRTUWXY",
            "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
        )
    )
    assert values(uscc=typed).values["uscc"] == valid
    assert values(uscc=full_width).values["uscc"] == valid
    assert values(uscc="'" + valid).values["uscc"] == valid  # Excel's "force text" quote
    assert errors(values(uscc=bad_check(valid))) == {("uscc", "uscc_check")}
    assert errors(values(uscc=valid[:17])) == {("uscc", "uscc_length")}
    assert errors(values(uscc=valid[:16] + "I" + valid[17])) == {("uscc", "uscc_alphabet")}


def test_text_stored_as_numbers_and_the_export_formula_guard():
    row = values(uscc=code(1), contact_phone=13800000000, name="'=甲公司", address=88)
    assert row.values["contact_phone"] == "13800000000"
    assert row.values["address"] == "88"
    assert row.values["name"] == "=甲公司"
    assert values(uscc=code(1), contact_phone="１３８００００００００").values["contact_phone"] == (
        "13800000000"
    )


def test_too_long():
    row = values(uscc=code(1), contact_name="张" * 51)
    assert errors(row) == {("contact_name", "too_long")}


@pytest.mark.parametrize(
    "key, raw, expected",
    [
        ("ownership", "私营", "private"),
        ("ownership", "民营企业", "private"),
        ("ownership", "Foreign", "foreign"),
        ("size", "小型", "small"),
        ("size", "micro", "micro"),
        ("status", "注销", "deregistered"),
        ("status", "存续", "operating"),
        ("industry", "C", "C"),
        ("industry", "C 制造业", "C"),
        ("industry", "制造业", "C"),
        ("industry", "c", "C"),
        ("org_level", "党总支", "general_branch"),
        ("org_formation", "区域/挂靠", "regional"),
        ("org_formation", "联合", "joint"),
        ("above_scale", "是", True),
        ("above_scale", "否", False),
        ("above_scale", "Y", True),
        ("above_scale", 0, False),
        ("investor_is_member", "√", True),
    ],
)
def test_choices_and_yes_no(key, raw, expected):
    assert values(uscc=code(1), **{key: raw}).values[key] == expected


def test_a_value_that_is_not_a_choice_lists_the_choices():
    row = values(uscc=code(1), size="超大型")
    assert errors(row) == {("size", "bad_choice")}
    assert "小型" in row.errors[0].message
    assert errors(values(uscc=code(1), above_scale="也许")) == {("above_scale", "bad_bool")}


def test_cells_that_only_make_sense_together():
    row = values(uscc=code(1), org_secretary="李明", formal=3)
    assert errors(row) == {("org_name", "org_name_missing"), ("return_date", "return_date_missing")}


def test_required_cells():
    row = clean_row(3, {"name": " ", "uscc": None})
    assert errors(row) == {("name", "required"), ("uscc", "required")}


def test_liaison_names_are_split():
    row = values(uscc=code(1), liaison="张华、李四, 王五，张华")
    assert row.values["liaison"] == ["张华", "李四", "王五"]
