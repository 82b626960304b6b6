"""Signals the audited write paths send, for apps that keep derived data in step.

``audit`` knows no other app (docs/ARCHITECTURE.md): an app that must react to writes
listens here, so the dependency points from it to ``audit``, never back.

- Single saves and deletes already send Django's ``post_save`` / ``post_delete``.
- ``bulk_written``: ``AuditedQuerySet.bulk_create``, ``bulk_update`` and ``update``
  bypass those signals, so they send this once per call, after the rows are written and
  recorded. Arguments: ``sender`` (the model), ``action`` ("create" or "update"),
  ``objs`` (the instances written; for ``update`` they are read back after it),
  ``fields`` (the attnames written, ``None`` for a create) and ``before``
  (``{pk: {attname: value before}}`` for the written fields; empty for a create).
- ``batch_started`` / ``batch_finished``: sent around ``QuerySet.delete()`` and
  ``Model.delete()`` of an audited model (sender: the model), whose cascade sends one
  ``post_delete`` per row, so that a listener can react once per delete instead of once
  per row. ``batch_finished`` is sent even when the delete raised; batches nest.
- ``recorded``: every audited write, single or bulk, once its Change rows are written
  (in its transaction). Arguments: ``entries``, a list of (instance, changes dict). The
  cache versions (``core/versions.py``) listen, to bump what the write touched.
"""

from contextlib import contextmanager

from django.dispatch import Signal

bulk_written = Signal()
recorded = Signal()
batch_started = Signal()
batch_finished = Signal()


@contextmanager
def write_batch(model):
    batch_started.send(sender=model)
    try:
        yield
    finally:
        batch_finished.send(sender=model)
