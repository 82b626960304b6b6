"""Audit trail: field-level history of every domain record, plus sign-in and import events.

Why our own and not django-simple-history / django-auditlog / django-pghistory:
- one table for every model, so admins browse and filter one log;
- field-level before/after stored at write time, not diffed from snapshots later;
- bulk writes (``bulk_create``, ``bulk_update``, ``QuerySet.update``) are recorded by the
  queryset itself, identically on SQLite and PostgreSQL (pghistory's triggers are
  PostgreSQL-only; simple-history and auditlog miss ``QuerySet.update``).
"""
