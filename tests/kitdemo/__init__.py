"""A demonstration part of the matrix that lives only in the test suite.

It proves that a new part costs one folder: its model, its list, record page, forms, end
and delete pages, its export, its dashboard panel (page, export sheet, JSON part), its
alert (list page, badge share, dashboard count) and its demo data all come from the kit
(core/) through ``part.py``; nothing outside this folder names it. The test settings
install it (``matrix/settings/test.py``), as a deployment lists its parts.
"""
