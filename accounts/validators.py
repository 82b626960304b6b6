from django.contrib.auth.password_validation import MinimumLengthValidator as BaseMinimumLength
from django.utils.translation import gettext as _


class MinimumLengthValidator(BaseMinimumLength):
    """Django 5.2's message changed and its zh-hans catalog lacks the new text; ours has it."""

    def get_error_message(self):
        return _("This password is too short: it needs at least %(min_length)d characters.") % {
            "min_length": self.min_length
        }

    def get_help_text(self):
        return _("At least %(min_length)d characters.") % {"min_length": self.min_length}
