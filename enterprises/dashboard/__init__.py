"""The dashboard panel of the "1" (coverage), registered in ``enterprises/part.py``.

- ``figures``: the SQL (rules from ``enterprises.coverage``) and the ``Tally`` rollups;
- ``service``: caching under the data version, with dated invalidation (``version``);
- ``panel``: the ``CoveragePanel`` (page, export sheets, JSON part, definitions);
- ``links``: drill-down URLs into the enterprise list.
"""
