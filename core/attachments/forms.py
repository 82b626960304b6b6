from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import files


class AttachmentForm(forms.Form):
    """One file and an optional caption. ``clean_file`` checks the file by its content, so
    the message shows at the field; ``self.inspected`` then holds the checked bytes."""

    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    inspected = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A photo (PNG, JPEG, GIF, WebP) or a PDF, at most %(max)s MB."
        ) % {"max": files.megabytes(settings.ATTACHMENT_MAX_BYTES)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.inspected = files.inspect(upload)
        return upload
