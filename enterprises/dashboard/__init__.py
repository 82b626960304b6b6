"""The dashboard panel of the "1" (coverage), registered in ``enterprises/part.py``.

- ``figures``: the SQL (rules from ``enterprises.coverage``) and the ``Tally`` rollups;
- ``service``: caching under the versions of the "1" in the area (core/versions.py);
- ``panel``: the ``CoveragePanel`` (page, export sheets, JSON part, definitions);
- ``links``: drill-down URLs into the enterprise list.
"""
