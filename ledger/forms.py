from django import forms
from django.utils.translation import gettext_lazy as _

from . import parsing


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file"),
        help_text=_(
            "An Excel .xlsx file or a .csv file (UTF-8 or GBK), one row per enterprise. "
            "Nothing is saved until you confirm the preview."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > parsing.max_bytes():
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit).0f MB."),
                code="too_large",
                params={
                    "size": upload.size / 1024 / 1024,
                    "limit": parsing.max_bytes() / 1024 / 1024,
                },
            )
        return upload
