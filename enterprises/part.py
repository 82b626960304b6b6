"""The "1" (扩面) as a part of the matrix: what it contributes to the kit's registries."""

from django.utils.translation import gettext_lazy as _

from core.registry import Part

from .sheets import SHEET

PART = Part(
    key="coverage",
    label=_("Coverage"),
    home="enterprises:list",
    url_prefix="enterprises/",
    sheets=(SHEET,),
)
