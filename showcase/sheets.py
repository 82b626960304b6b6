"""Ledger sheets of 点 (imports): the seam for issue 13 item 8's import half.

The exports are done: every list of 点 is a registered table (``tables.TABLES``), so
``/ledger/export/topics.xlsx`` writes the topics with their progress (the ``milestones``
column: each milestone's title, weight and percent done), with the list's filters.

The import of topics with their progress (a site updates its 19 topics from one sheet)
goes here, as a sheet spec of the ledger's import framework, once that framework is
merged: it is not on ``main`` yet, so nothing is registered today. The spec is meant to
match rows to topics (by id, then by title within the enterprise), and to write each
milestone's percent done through ``services.milestone_set_progress`` (the same rules as a
phone update: closed topics refuse, unclaimed topics record no progress), in one
transaction with per-cell errors.
"""

SHEETS = ()
