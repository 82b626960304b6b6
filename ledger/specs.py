"""The sheet specs the parts declare (``PART.sheets``), by kind.

The first registered spec is the default kind: the one the URLs without a kind and
``import_enterprises`` use (parts register in ``INSTALLED_APPS`` order, so it is the
"1"'s enterprise ledger)."""

from django.http import Http404

from core import registry


def all_specs():
    return registry.sheets()


def get(kind=None):
    """The spec of ``kind`` (the default when None); KeyError when there is none."""
    if kind is None:
        return default()
    spec = registry.sheet(kind)
    if spec is None:
        raise KeyError(kind)
    return spec


def get_or_404(kind=None):
    try:
        return get(kind)
    except KeyError:
        raise Http404 from None


def default():
    specs = registry.sheets()
    if not specs:
        raise KeyError("no sheet spec is registered")
    return specs[0]
