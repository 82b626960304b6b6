"""The matrix dashboard (看板): figures as of any date for any area in the user's scope.

- ``figures``: the SQL (rules from ``enterprises.coverage``) and the ``Tally`` rollups;
- ``service``: caching under the data version (``version``);
- ``panels``: the panel registry (``PANELS``) and what each panel shows;
- ``links``: drill-down URLs into the enterprise list;
- ``selection``: the request's area and date; ``api``: the JSON; ``export``: the .xlsx.
"""
