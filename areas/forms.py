from django import forms

from . import tree


class AreaChoiceField(forms.ModelChoiceField):
    """An area of a scope, labelled as in every area choice (``tree.label``); give it a
    queryset in tree order (``Area.objects.…in_tree_order()``)."""

    def label_from_instance(self, obj):
        return tree.label(obj)
