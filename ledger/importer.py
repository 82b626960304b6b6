"""Plan an import, then commit it: all rows or none.

``build_plan(sheet, user)`` validates every row and compares it with the database:
each row becomes new / update (with its field changes) / unchanged / error. It reads
the records it needs in a fixed number of queries (chunks of ``CHUNK`` keys), never
one query per row. Nothing is written.

``commit(plan, user=…)`` writes a plan without errors inside one transaction: bulk
creates and updates through the audited managers (so every record gets its history),
all attributed to one ``audit.Event`` of kind import. Any exception rolls everything
back, the event included.

What a row does (docs/IMPORT.md explains it for users):
- the enterprise is matched on its normalised USCC; a column the file lacks is left
  alone, an empty cell clears an optional field (address, contact, employees, chain);
- the party organisation is matched by name: first among the organisations covering
  the enterprise now, then among the active ones in the user's area; otherwise it is
  created (managed by the enterprise's community) and covers the enterprise from its
  established date. An existing organisation that starts covering it does so from today;
- the membership return for the given date is created, or its counts updated;
- each liaison is matched by name among the in-service liaisons of the enterprise's
  community, street or district; otherwise created as a 党建专员 of the street, and
  assigned from today;
- 工会 / 共青团 / 妇联: the active one's established date is updated, or one is created.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from audit.context import audit_context
from audit.models import Event
from enterprises import state
from enterprises.models import (
    Coverage,
    Enterprise,
    IndustryChain,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)

from . import columns as cols
from .changes import change, chunked, display, scope_communities
from .facts import FactPlanner
from .validation import CleanRow, _name_key, clean_row, shown

WRITE_CHUNK = 1000  # rows per write step of a commit

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
STATUSES = [ERROR, NEW, UPDATE, UNCHANGED]

# Enterprise columns → model fields; an empty cell clears these, and keeps the others.
ENTERPRISE_FIELDS = [k for k in cols.ENTERPRISE_KEYS if k != "uscc"]
CLEARED_BY_BLANK = {
    "address": "",
    "contact_name": "",
    "contact_phone": "",
    "employees": None,
    "industry_chain": None,
    "status_date": None,
}
DEFAULTS = {"ownership": "private", "size": "small", "above_scale": False}


@dataclass(eq=False, slots=True)
class RowPlan:
    clean: CleanRow
    label: tuple = ("", "")  # (name, USCC) as written, for the preview
    status: str = ""
    enterprise: Enterprise | None = None
    community: Area | None = None
    is_new: bool = False
    fields: set = field(default_factory=set)
    changes: list = field(default_factory=list)
    org: object = None  # facts.OrgPlan
    org_spec: dict = field(default_factory=dict)
    needs_coverage: bool = False
    return_obj: MembershipReturn | None = None
    return_new: bool = False
    return_changed: bool = False
    liaisons: list = field(default_factory=list)
    mass_new: list = field(default_factory=list)
    mass_changed: list = field(default_factory=list)

    @property
    def number(self):
        return self.clean.number

    @property
    def values(self):
        return self.clean.values

    def error(self, key, code, message):
        self.clean.error(key, code, message)


@dataclass
class Plan:
    sheet: object
    rows: list
    orgs: list = field(default_factory=list)
    new_liaisons: list = field(default_factory=list)

    def count(self, status):
        return sum(1 for r in self.rows if r.status == status)

    @property
    def has_errors(self):
        return any(r.status == ERROR for r in self.rows)

    def summary(self):
        return {
            "file": self.sheet.file_name,
            "created": self.count(NEW),
            "updated": self.count(UPDATE),
            "unchanged": self.count(UNCHANGED),
            "errors": self.count(ERROR),
        }

    def problems(self):
        """(row number, column header, code, message) for every error, in row order."""
        for row in self.rows:
            for p in row.clean.errors:
                yield row.number, self.sheet.header_for(p.key) if p.key else "", p.code, p.message

    def digest(self):
        """Fingerprint of what a commit would do, independent of the interface language."""
        h = hashlib.sha256()
        for row in self.rows:
            codes = ",".join(p.code for p in row.clean.errors)
            facts = ";".join(f"{c.key}={c.token}" for c in row.changes)
            h.update(f"{row.number}|{row.status}|{codes}|{facts}\n".encode())
        return h.hexdigest()


def build_plan(sheet, user):
    return Planner(sheet, user).run()


class Planner:
    def __init__(self, sheet, user):
        self.sheet = sheet
        self.user = user
        self.today = timezone.localdate()
        self.present = set(sheet.columns)

    def header(self, key):
        return self.sheet.header_for(key)

    def run(self):
        """Plan every row. Consumes ``sheet.rows`` (the raw cells are not needed after
        validation, and a 50,000-row file is large)."""
        raw, self.sheet.rows = self.sheet.rows, []
        rows = []
        for index, (number, values) in enumerate(raw):
            cells = self.sheet.cells(values)
            label = (shown(cells.get("name") or ""), shown(cells.get("uscc") or ""))
            rows.append(RowPlan(clean_row(number, cells), label=label))
            raw[index] = None
        del raw
        self._flag_duplicates(rows)
        self._load(rows)
        self.facts = FactPlanner(self, rows)
        for row in rows:
            self._plan_row(row)
        self.facts.settle()
        for row in rows:
            self._settle_status(row)
        return Plan(
            self.sheet, rows, self.facts.org_plans(), list(self.facts.new_liaisons.values())
        )

    # -- loading ------------------------------------------------------------

    def _flag_duplicates(self, rows):
        seen = defaultdict(list)
        for row in rows:
            if row.values.get("uscc"):
                seen[row.values["uscc"]].append(row)
        for same in seen.values():
            if len(same) > 1:
                numbers = "、".join(str(r.number) for r in same)
                for row in same:
                    row.error(
                        "uscc",
                        "duplicate_uscc",
                        _(
                            "The same USCC appears in rows %(rows)s; an enterprise may appear "
                            "only once in a file."
                        )
                        % {"rows": numbers},
                    )
                    row.values["uscc"] = None

    def _load(self, rows):
        codes = {r.values["uscc"] for r in rows if r.values.get("uscc")}
        self.enterprises = {
            e.uscc: e
            for e in chunked(codes, lambda c: Enterprise.objects.filter(uscc__in=c).order_by())
        }
        communities = scope_communities(self.user).select_related("parent__parent").order_by()
        self.communities = {c.pk: c for c in communities}
        self.by_name = defaultdict(list)
        for c in self.communities.values():
            self.by_name[_name_key(c.name)].append(c)
        wanted = {
            _community_parts(r.values["community"])[1] for r in rows if r.values.get("community")
        }
        missing = wanted - set(self.by_name)
        self.outside = set()
        if missing:
            self.outside = {
                _name_key(n)
                for n in Area.objects.filter(
                    level=Area.Level.COMMUNITY, name__in=missing
                ).values_list("name", flat=True)
            }
        self.chains = {}
        if "industry_chain" in self.present:
            self.chains = {_name_key(c.name): c for c in IndustryChain.objects.all()}
        self.existing_ids = [
            e.pk for e in self.enterprises.values() if e.community_id in self.communities
        ]

    # -- one row ------------------------------------------------------------

    def _plan_row(self, row):
        code = row.values.get("uscc")
        if code is None:
            return
        existing = self.enterprises.get(code)
        if existing is not None and existing.community_id not in self.communities:
            row.error(
                "uscc",
                "out_of_scope",
                _(
                    "An enterprise with this USCC is registered outside your area; "
                    "it cannot be changed from here."
                ),
            )
            return
        community = self._community(row, is_new=existing is None)
        if existing is None:
            self._new_enterprise(row, code, community)
        else:
            row.enterprise = existing
            row.community = self.communities[existing.community_id]
            self._update_enterprise(row, existing, community)
        self._check_status(row)
        if row.community is not None:
            self.facts.plan(row)

    def _community(self, row, is_new):
        if "community" not in self.present or row.values.get("community") is None:
            if is_new and not row.clean.has_error("community"):
                row.error(
                    "community",
                    "required",
                    _("A new enterprise needs its community (column %(column)s).")
                    % {"column": self.header("community")},
                )
            return None
        street, name = _community_parts(row.values["community"])
        found = self.by_name.get(name, [])
        if street:
            found = [c for c in found if _name_key(c.parent.name) == street]
        if len(found) == 1:
            return found[0]
        if found:
            streets = "、".join(sorted(c.parent.name for c in found))
            row.error(
                "community",
                "ambiguous_community",
                _(
                    "Several communities are named %(name)s (in %(streets)s). Write it as "
                    "street/community, e.g. %(example)s."
                )
                % {
                    "name": name,
                    "streets": streets,
                    "example": f"{found[0].parent.name}/{found[0].name}",
                },
            )
        elif name in self.outside:
            row.error(
                "community",
                "out_of_scope",
                _("The community %(name)s is outside your area; you cannot import into it.")
                % {"name": name},
            )
        else:
            known = "、".join(sorted(c.name for c in self.communities.values())[:30])
            row.error(
                "community",
                "unknown_community",
                _("There is no community named %(name)s in your area. Your communities: %(known)s.")
                % {"name": name, "known": known or "—"},
            )
        return None

    def _chain(self, row):
        name = row.values.get("industry_chain")
        if name is None:
            return None
        chain = self.chains.get(name)
        if chain is None:
            row.error(
                "industry_chain",
                "unknown_chain",
                _("There is no industry chain named %(name)s. Known chains: %(known)s.")
                % {
                    "name": name,
                    "known": "、".join(sorted(c.name for c in self.chains.values())) or "—",
                },
            )
        return chain

    def _new_enterprise(self, row, code, community):
        row.is_new = True
        row.community = community
        enterprise = Enterprise(uscc=code, community=community, tracked_since=self.today)
        for key, value in DEFAULTS.items():
            setattr(enterprise, key, value)
        for key in ENTERPRISE_FIELDS:
            if key == "community" or key not in self.present:
                continue
            value = self._chain(row) if key == "industry_chain" else row.values.get(key)
            if value is not None:
                setattr(enterprise, key, value)
        if enterprise.status_date and row.values.get("tracked_since") is None:
            # A closed enterprise entered now was tracked at the latest until it closed.
            enterprise.tracked_since = min(enterprise.tracked_since, enterprise.status_date)
        if not enterprise.industry and not row.clean.has_error("industry"):
            row.error(
                "industry",
                "required",
                _("A new enterprise needs its industry (column %(column)s).")
                % {"column": self.header("industry")},
            )
        row.enterprise = enterprise

    def _update_enterprise(self, row, enterprise, community):
        for key in ENTERPRISE_FIELDS:
            if key not in self.present or row.clean.has_error(key):
                continue
            if key == "community":
                value = community
            elif key == "industry_chain":
                value = self._chain(row)
                if row.clean.has_error(key):
                    continue
            else:
                value = row.values.get(key)
            if value is None:
                if key not in CLEARED_BY_BLANK:
                    continue  # an empty cell keeps a required or defaulted field
                value = CLEARED_BY_BLANK[key]
            self._set(row, enterprise, key, value)
        if community is not None:
            row.community = community

    def _set(self, row, obj, key, value, field_name=None):
        """Assign when different, recording the change for the preview."""
        name = field_name or key
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            before_id = getattr(obj, model_field.attname)
            after_id = value.pk if value is not None else None
            if before_id == after_id:
                return False
            before = self._related_name(model_field, before_id)
        else:
            before = getattr(obj, name)
            if before == value:
                return False
        setattr(obj, name, value)
        if obj is row.enterprise:
            row.fields.add(name)
        row.changes.append(change(self.header(key), key, before, value))
        return True

    def _related_name(self, model_field, pk):
        if pk is None:
            return None
        if model_field.related_model is Area:
            return self.communities.get(pk)
        return next((c for c in self.chains.values() if c.pk == pk), None)

    def _check_status(self, row):
        enterprise = row.enterprise
        if enterprise is None or row.clean.has_error("status"):
            return
        if enterprise.status == Enterprise.Status.OPERATING:
            if enterprise.status_date is not None:
                self._set(row, enterprise, "status_date", None)
            return
        if enterprise.status_date is None and not row.clean.has_error("status_date"):
            row.error(
                "status_date",
                "required",
                _("The status %(status)s needs the date it happened.")
                % {"status": display("status", enterprise.status)},
            )
        elif enterprise.status_date and enterprise.status_date < enterprise.tracked_since:
            row.error(
                "status_date",
                "before_tracked",
                _("The status date %(day)s is before the tracked-since date %(since)s.")
                % {"day": enterprise.status_date, "since": enterprise.tracked_since},
            )

    def _settle_status(self, row):
        enterprise = row.enterprise
        if not row.clean.errors and enterprise and enterprise.archived_at and row.changes:
            row.error(
                "uscc",
                "archived",
                _("This enterprise is archived; restore it on its page before importing changes."),
            )
        if row.clean.errors:
            row.status = ERROR
        elif row.is_new:
            row.status = NEW
        elif row.changes:
            row.status = UPDATE
        else:
            row.status = UNCHANGED
        if row.status in (ERROR, UNCHANGED):  # nothing to write: let the records go
            row.enterprise = row.return_obj = row.org = None
            row.liaisons = row.mass_new = row.mass_changed = ()


def _community_parts(text):
    """胶南街道/水城路社区 → (胶南街道, 水城路社区); 水城路社区 → ("", 水城路社区)."""
    parts = [p for p in text.split("/") if p]
    return (parts[-2] if len(parts) > 1 else "", parts[-1] if parts else "")


# ---------------------------------------------------------------------------
# Commit


class ImportHasErrors(Exception):
    pass


def commit(plan, *, user, ip=None, progress=None):
    """Write the plan in one transaction; returns the audit Event. ``progress(done, total)``
    is called after each chunk of rows (the command prints it)."""
    if plan.has_errors:
        raise ImportHasErrors
    now = timezone.now()
    today = timezone.localdate()
    rows = [r for r in plan.rows if r.status in (NEW, UPDATE)]
    with transaction.atomic():
        event = Event.objects.create(
            kind=Event.Kind.IMPORT,
            actor=user,
            username=user.username,
            ip=ip,
            detail=plan.summary(),
        )
        # state.deferred(): the stored state of every enterprise written is refreshed
        # once, at the end, instead of once per bulk write.
        with audit_context(actor=user, event=event), state.deferred():
            _write_shared(plan)
            for start in range(0, len(rows), WRITE_CHUNK):
                _write_rows(rows[start : start + WRITE_CHUNK], now, today)
                if progress is not None:
                    progress(min(start + WRITE_CHUNK, len(rows)), len(rows))
    return event


def _write_shared(plan):
    """Organisations and liaisons several rows may share: before the rows that use them."""
    Liaison.objects.bulk_create(plan.new_liaisons, batch_size=WRITE_CHUNK)
    new_orgs = [p.org for p in plan.orgs if p.is_new]
    PartyOrganization.objects.bulk_create(new_orgs, batch_size=WRITE_CHUNK)
    changed = [p for p in plan.orgs if not p.is_new and p.changed]
    for start in range(0, len(changed), WRITE_CHUNK):
        part = changed[start : start + WRITE_CHUNK]
        fields = set().union(*(p.changed for p in part)) | {"next_election_due", "version"}
        for p in part:
            p.org.version += 1
        PartyOrganization.objects.bulk_update([p.org for p in part], sorted(fields))


def _write_rows(rows, now, today):
    Enterprise.objects.bulk_create([r.enterprise for r in rows if r.is_new])
    changed = [r for r in rows if not r.is_new and r.fields]
    if changed:
        for r in changed:
            r.enterprise.version += 1
            r.enterprise.updated_at = now
        fields = set().union(*(r.fields for r in changed)) | {"version", "updated_at"}
        Enterprise.objects.bulk_update([r.enterprise for r in changed], sorted(fields))
    Coverage.objects.bulk_create(
        [
            Coverage(
                organization=r.org.org,
                enterprise=r.enterprise,
                since=r.org.org.established_on if r.org.is_new else today,
            )
            for r in rows
            if r.needs_coverage
        ]
    )
    returns = [r for r in rows if r.return_obj is not None]
    for r in returns:
        r.return_obj.enterprise = r.enterprise
    MembershipReturn.objects.bulk_create([r.return_obj for r in returns if r.return_new])
    updated = [r.return_obj for r in returns if r.return_changed]
    if updated:
        for ret in updated:
            ret.version += 1  # edit forms opened before the import are stale
        MembershipReturn.objects.bulk_update(updated, [*cols.COUNT_KEYS, "version"])
    LiaisonAssignment.objects.bulk_create(
        [
            LiaisonAssignment(liaison=liaison, enterprise=r.enterprise, start=today)
            for r in rows
            for liaison in r.liaisons
        ]
    )
    for r in rows:
        for m in (*r.mass_new, *r.mass_changed):
            m.enterprise = r.enterprise
    MassOrganization.objects.bulk_create([m for r in rows for m in r.mass_new])
    updated = [m for r in rows for m in r.mass_changed]
    if updated:
        for m in updated:
            m.version += 1  # edit forms opened before the import are stale
        MassOrganization.objects.bulk_update(updated, ["established_on", "version"])
