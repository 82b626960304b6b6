"""The matrix dashboard (看板): every registered panel (core/panels.py) for any area in
the user's scope, as of any date.

- ``selection``: the request's area and date;
- ``service``: the panel context, the alert counts (cached under the versions of the scope);
- ``export``: the .xlsx (each panel's sheets); ``api``: the JSON (each panel's part).

This package names no part: the panels come from ``core.registry``.
"""
