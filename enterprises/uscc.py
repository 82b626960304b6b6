"""统一社会信用代码 (USCC, GB 32100-2015): normalisation and check character.

Positions 1–2 may be letters (registration authority and kind), so we do not use
python-stdnum's ``cn.uscc``, which rejects some valid codes of that shape.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, …
LENGTH = 18


def normalize(raw):
    """Full-width to half-width, no spaces or dashes, upper case."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-－").upper()


def check_character(first17):
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(raw):
    """Return the normalised code, or raise ValidationError saying what exactly is wrong."""
    code = normalize(raw)
    if len(code) != LENGTH:
        raise ValidationError(
            _("A USCC has 18 characters; this one has %(n)d."),
            code="length",
            params={"n": len(code)},
        )
    for position, ch in enumerate(code, start=1):
        if ch not in ALPHABET:
            raise ValidationError(
                _(
                    "Character %(ch)s at position %(pos)d is not allowed in a USCC "
                    "(digits and capital letters except I, O, S, V, Z)."
                ),
                code="alphabet",
                params={"ch": ch, "pos": position},
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character (position 18) is wrong: with these first 17 characters "
                "it should be %(expected)s. Check the code for a typing error."
            ),
            code="check",
            params={"expected": expected},
        )
    return code


def is_valid(raw):
    try:
        validate(raw)
    except ValidationError:
        return False
    return True


def make(first17):
    """Complete 17 characters into a valid code (demo and test data)."""
    first17 = normalize(first17)
    return first17 + check_character(first17)
