"""Pages of 点 (mounted at ``/showcase/``, ``showcase/urls.py``). Every queryset starts
from ``for_user`` (404 outside the area); every write is an editor view (403 for
leaders); the rules are ``showcase.services``' (their refusals show on the form).

- ``sites``: demonstration sites, batches, the 六有 checklist, status changes, the board;
- ``topics``: 揭榜挂帅 topics, transitions, claims, milestones, progress, acceptance;
- ``records``: task teams, 传帮带, pioneer deeds, teaching cases, the engaged lists;
- ``ratings``: star ratings, their score sheets, the rubrics.
"""
