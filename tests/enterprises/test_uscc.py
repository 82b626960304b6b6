"""统一社会信用代码 (GB 32100-2015): normalisation, alphabet, check character."""

import pytest
from django.core.exceptions import ValidationError

from enterprises import uscc

VALID = "91350100M000100Y43"

# Written out from GLOSSARY.md, independently of enterprises.uscc.
GLOSSARY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GLOSSARY_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def glossary_check(first17):
    total = sum(
        GLOSSARY_ALPHABET.index(c) * w for c, w in zip(first17, GLOSSARY_WEIGHTS, strict=True)
    )
    return GLOSSARY_ALPHABET[(31 - total % 31) % 31]


def error_of(raw):
    with pytest.raises(ValidationError) as info:
        uscc.validate(raw)
    return info.value


def test_the_published_example_is_valid():
    assert uscc.validate(VALID) == VALID
    assert uscc.is_valid(VALID)


def test_weights_are_the_published_ones():
    assert uscc.WEIGHTS == GLOSSARY_WEIGHTS


@pytest.mark.parametrize(
    "first17",
    ["91350100M000100Y4", "91370211MA0000001", "Y1370211MA3C4D5E6", "N2110000L12345678"],
)
def test_make_appends_the_check_character_defined_in_the_glossary(first17):
    code = uscc.make(first17)
    assert code == first17 + glossary_check(first17)
    assert uscc.validate(code) == code


@pytest.mark.parametrize("first2", ["Y1", "N2", "A1", "AB", "QY"])
def test_letters_in_positions_1_and_2_are_accepted(first2):
    code = uscc.make(first2 + "370211MA0000001")
    assert code[:2] == first2
    assert uscc.validate(code) == code


def test_every_check_value_including_zero_is_reachable_and_accepted():
    """A sum that is a multiple of 31 gives check value 0 ('0'), not 31."""
    seen = set()
    for n in range(2000):
        code = uscc.make(f"91370211MA{n:07d}")
        seen.add(code[-1])
        assert uscc.is_valid(code)
    assert seen == set(GLOSSARY_ALPHABET)


@pytest.mark.parametrize(
    "raw",
    [
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width
        " 9135 0100 M000 100Y 43 ",  # spaces
        "91350100m000100y43",  # lower case
        "９１３５０１００ｍ０００１００ｙ４３",  # full-width lower case
        "91350100-M000100Y43",  # a dash
        "\t91350100M000100Y43\n",
        "9135\u30000100M000100Y43",  # ideographic space
    ],
)
def test_full_width_spaces_and_lower_case_are_normalised(raw):
    assert uscc.normalize(raw) == VALID
    assert uscc.validate(raw) == VALID


def test_normalize_of_nothing_is_empty():
    assert uscc.normalize(None) == ""
    assert uscc.normalize("") == ""


@pytest.mark.parametrize("raw, n", [(VALID[:17], 17), (VALID + "0", 19), ("", 0), ("   ", 0)])
def test_wrong_length_is_reported_as_length_with_the_count(raw, n):
    error = error_of(raw)
    assert error.code == "length"
    assert error.params == {"n": n}
    assert str(n) in error.messages[0]
    assert "18" in error.messages[0]


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_i_o_s_v_z_are_rejected_with_their_position(letter):
    raw = VALID[:8] + letter + VALID[9:]  # position 9 (the "M")
    error = error_of(raw)
    assert error.code == "alphabet"
    assert error.params == {"ch": letter, "pos": 9}
    assert letter in error.messages[0]
    assert "9" in error.messages[0]


def test_an_invalid_character_in_position_1_names_position_1():
    error = error_of("I" + VALID[1:])
    assert error.code == "alphabet"
    assert error.params["pos"] == 1


def test_punctuation_is_an_alphabet_error_not_a_check_error():
    error = error_of(VALID[:4] + "*" + VALID[5:])
    assert error.code == "alphabet"
    assert error.params == {"ch": "*", "pos": 5}


def test_a_wrong_check_character_names_the_expected_one():
    wrong = VALID[:17] + "4"
    error = error_of(wrong)
    assert error.code == "check"
    assert error.params == {"expected": "3"}
    assert "3" in error.messages[0]
    assert not uscc.is_valid(wrong)


def test_a_typing_error_in_the_body_is_caught_by_the_check_character():
    typo = VALID[:3] + "6" + VALID[4:]  # 5 → 6 in position 4
    error = error_of(typo)
    assert error.code == "check"
    assert error.params["expected"] == glossary_check(typo[:17])
    assert error.params["expected"] != typo[17]


def test_swapped_neighbours_are_caught():
    swapped = VALID[0] + VALID[2] + VALID[1] + VALID[3:]  # 91… → 19…
    assert not uscc.is_valid(swapped)


def test_length_is_checked_before_the_alphabet():
    """A short code with a bad letter reports the length: the first thing to fix."""
    assert error_of("91O").code == "length"
