from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import cells, parsing


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file"),
        help_text=_(
            "An Excel .xlsx file or a .csv file (UTF-8 or GBK). Nothing is saved until "
            "you confirm the preview."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv,.txt"}),
    )
    as_of = forms.DateField(
        label=_("Date of the figures"),
        required=False,
        help_text=_(
            "Only when neither the rows nor the top of the sheet give the date the figures "
            "describe (填报日期：…, 截至…). Empty: today."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sheet = forms.CharField(
        label=_("Sheet"),
        required=False,
        max_length=100,
        help_text=_(
            "Only for a workbook of several sheets: the name of the sheet to read. Empty: "
            "the sheet whose header fits best (the preview says which)."
        ),
    )

    def __init__(self, *args, spec=None, **kwargs):
        super().__init__(*args, **kwargs)
        if spec is not None and not spec.as_of_column:
            del self.fields["as_of"]

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

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day is None:
            return None
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."), code="future")
        if day < cells.EARLIEST:
            raise forms.ValidationError(
                _("The date is before %(earliest)s."),
                code="too_early",
                params={"earliest": cells.EARLIEST.isoformat()},
            )
        return day
