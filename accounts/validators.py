from django.contrib.auth.password_validation import MinimumLengthValidator as BaseMinimumLength
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(BaseMinimumLength):
    """Django 5.2's message changed and its zh-hans catalog lacks the new text; ours has it."""

    def get_error_message(self):
        return _("This password is too short: it needs at least %(min_length)d characters.") % {
            "min_length": self.min_length
        }

    def get_help_text(self):
        return _("At least %(min_length)d characters.") % {"min_length": self.min_length}


# Rows and columns of the keyboard (shifted symbols are read as their unshifted keys),
# the alphabet and the digits: a password made mostly of runs along these is guessed
# early by any cracking tool, however long it is.
_SHIFTED = str.maketrans('~!@#$%^&*()_+{}|:"<>?', "`1234567890-=[]\\;',./")
_ROWS = ["`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./"]
_COLUMNS = ["1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik,", "9ol.", "0p;/"]
_SEQUENCES = [
    *_ROWS,
    "".join(_COLUMNS),  # 1qaz2wsx3edc…
    "".join(c[::-1] for c in _COLUMNS),  # zaq1xsw2cde3…
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
]
_SEQUENCES += [s[::-1] for s in _SEQUENCES]
# Neighbours: b follows a somewhere along a row, a column, the alphabet or the digits.
_STEPS = {(seq[k], seq[k + 1]) for seq in _SEQUENCES for k in range(len(seq) - 1)}


def keyboard_run_share(password, shortest=4):
    """The share of the password's characters that lie in runs of ``shortest`` or more
    characters, each the neighbour of the one before along a keyboard row or column, the
    alphabet or the digits (qwer, 1qaz, abcd, 4321, and walks such as qwsx). Linear."""
    text = password.lower().translate(_SHIFTED)
    covered, run = 0, 1
    for k in range(1, len(text) + 1):
        if k < len(text) and (text[k - 1], text[k]) in _STEPS:
            run += 1
            continue
        if run >= shortest:
            covered += run
        run = 1
    return covered / len(text) if text else 0.0


class KeyboardRunValidator:
    """Refuses a password that is mostly keyboard runs or sequences (at least half of its
    characters in runs of 4 or more): qwertyuiopasdf, 1qaz2wsx3edc, asdfghjkl;'."""

    def __init__(self, max_share=0.5):
        self.max_share = max_share

    def validate(self, password, user=None):
        if keyboard_run_share(password) >= self.max_share:
            raise ValidationError(
                _(
                    "This password is mostly neighbouring keys or a sequence "
                    "(such as qwerty, 1qaz2wsx, abcd or 1234), which is guessed early."
                ),
                code="password_keyboard_run",
            )

    def get_help_text(self):
        return _("Not mostly neighbouring keys or a sequence (qwerty, 1qaz2wsx, 1234).")


class RepeatedCharactersValidator:
    """Refuses a password of too few different characters (aaaaaaaaaaaa, abababababab)
    or one block repeated (abcdefabcdef)."""

    def __init__(self, min_distinct=5):
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        if len(set(password)) < self.min_distinct or _is_repeated_block(password):
            raise ValidationError(
                _(
                    "This password repeats itself: it has too few different characters, "
                    "or is one part written again and again."
                ),
                code="password_repeated",
            )

    def get_help_text(self):
        return _("Not the same characters again and again.")


def _is_repeated_block(password):
    n = len(password)
    return n > 1 and any(
        n % size == 0 and password == password[:size] * (n // size) for size in range(1, n // 2 + 1)
    )
