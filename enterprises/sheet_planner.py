"""How a row of the enterprise ledger is planned and written (``sheets.EnterpriseSheet``).

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

Everything the rows need is read up front (``_load``), in chunks, so planning costs a
fixed number of queries whatever the number of rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from ledger import bulk
from ledger.cells import name_key
from ledger.changes import chunked, display, scope_communities
from ledger.spec import Row, flag_repeats

from .models import (
    Coverage,
    Enterprise,
    IndustryChain,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)
from .sheets import BY_KEY, COUNT_KEYS, ENTERPRISE_KEYS, MASS_KINDS, current_mass

# Enterprise columns → model fields; an empty cell clears these, and keeps the others.
ENTERPRISE_FIELDS = [k for k in ENTERPRISE_KEYS if k != "uscc"]
CLEARED_BY_BLANK = {
    "address": "",
    "contact_name": "",
    "contact_phone": "",
    "employees": None,
    "industry_chain": None,
    "status_date": None,
}
DEFAULTS = {"ownership": "private", "size": "small", "above_scale": False}
new_enterprise = bulk.Factory(Enterprise)
new_return = bulk.Factory(MembershipReturn)
new_mass = bulk.Factory(MassOrganization)
new_coverage = bulk.Factory(Coverage)
new_assignment = bulk.Factory(LiaisonAssignment)
ORG_FIELDS = {
    "org_level": "level",
    "org_formation": "formation",
    "org_established": "established_on",
    "org_secretary": "secretary",
}


@dataclass(eq=False, slots=True)
class EnterpriseRow(Row):
    community: Area | None = None
    org: object = None  # OrgPlan
    org_spec: dict = field(default_factory=dict)
    needs_coverage: bool = False
    return_obj: MembershipReturn | None = None
    return_new: bool = False
    return_changed: bool = False
    liaisons: list = field(default_factory=list)
    mass_new: list = field(default_factory=list)
    mass_changed: list = field(default_factory=list)

    @property
    def enterprise(self):
        return self.record

    @enterprise.setter
    def enterprise(self, value):
        self.record = value


@dataclass(eq=False)
class OrgPlan:
    """One organisation named in the file, shared by the rows that name it."""

    org: PartyOrganization
    is_new: bool
    in_scope: bool = True
    rows: list = field(default_factory=list)
    changed: set = field(default_factory=set)  # model fields an update writes
    field_changes: list = field(default_factory=list)  # (key, before, after)
    covered: set = field(default_factory=set)  # enterprises it covers now
    written: bool = False  # its changes are saved (by the first rows written)


def _community_parts(text):
    """胶南街道/水城路社区 → (胶南街道, 水城路社区); 水城路社区 → ("", 水城路社区)."""
    parts = [p for p in text.split("/") if p]
    return (parts[-2] if len(parts) > 1 else "", parts[-1] if parts else "")


class Planner:
    def __init__(self, plan):
        self.plan = plan
        self.user = plan.user
        self.today = plan.today
        self.present = plan.present

    def header(self, key):
        return self.plan.header(key)

    def run(self):
        """Plan ``plan.rows``: one chunk of the sheet (ledger.importer.Planning), holding
        every row that names the same USCC or organisation (``EnterpriseSheet.links``)."""
        rows = self.plan.rows
        self._flag_duplicates(rows)
        self._load(rows)
        self.facts = FactPlanner(self, rows)
        for row in rows:
            self._plan_row(row)
        self.facts.settle()

    # -- loading ------------------------------------------------------------

    def _flag_duplicates(self, rows):
        repeated = flag_repeats(
            rows,
            lambda row: row.values.get("uscc") or None,
            "uscc",
            "duplicate_uscc",
            _(
                "The same USCC appears in rows %(rows)s; an enterprise may appear "
                "only once in a file."
            ),
        )
        for row in repeated:
            row.values["uscc"] = None

    def _load(self, rows):
        codes = {r.values["uscc"] for r in rows if r.values.get("uscc")}
        self.enterprises = {
            e.uscc: e
            for e in chunked(codes, lambda c: Enterprise.objects.filter(uscc__in=c).order_by())
        }
        shared = self.plan.state  # read once for all the chunks of a plan
        if "communities" not in shared:
            communities = scope_communities(self.user).select_related("parent__parent")
            shared["communities"] = {c.pk: c for c in communities.order_by()}
            by_name = defaultdict(list)
            for c in shared["communities"].values():
                by_name[name_key(c.name)].append(c)
            shared["by_name"] = by_name
        self.communities = shared["communities"]
        self.by_name = shared["by_name"]
        wanted = {
            _community_parts(r.values["community"])[1] for r in rows if r.values.get("community")
        }
        missing = wanted - set(self.by_name)
        self.outside = set()
        if missing:
            self.outside = {
                name_key(n)
                for n in Area.objects.filter(
                    level=Area.Level.COMMUNITY, name__in=missing
                ).values_list("name", flat=True)
            }
        if "chains" not in shared:
            shared["chains"] = {}
            if "industry_chain" in self.present:
                shared["chains"] = {name_key(c.name): c for c in IndustryChain.objects.all()}
        self.chains = shared["chains"]
        self.chains_by_pk = {c.pk: c for c in self.chains.values()}
        self.enterprise_keys = [
            k for k in ENTERPRISE_FIELDS if k != "community" and k in self.present
        ]
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
            found = [c for c in found if name_key(c.parent.name) == street]
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
        fields = {"uscc": code, "community": community, "tracked_since": self.today, **DEFAULTS}
        for key in self.enterprise_keys:
            value = self._chain(row) if key == "industry_chain" else row.values.get(key)
            if value is not None:
                fields[key] = value
        enterprise = new_enterprise(**fields)
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
        self.plan.record_change(row, key, before, value)
        return True

    def _related_name(self, model_field, pk):
        if pk is None:
            return None
        if model_field.related_model is Area:
            return self.communities.get(pk)
        return self.chains_by_pk.get(pk)

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
                % {"status": display(enterprise.status, BY_KEY["status"])},
            )
        elif enterprise.status_date and enterprise.status_date < enterprise.tracked_since:
            row.error(
                "status_date",
                "before_tracked",
                _("The status date %(day)s is before the tracked-since date %(since)s.")
                % {"day": enterprise.status_date, "since": enterprise.tracked_since},
            )


class FactPlanner:
    """The party-building facts of a row: its organisation, membership return, liaisons
    and 工会 / 共青团 / 妇联."""

    def __init__(self, planner, rows):
        self.planner = planner
        self.context = planner.plan  # the ledger Plan (``plan`` is this class's method)
        self.today = planner.today
        self.present = planner.present
        self._orgs = {}
        # New liaisons are shared by every chunk of the plan (the first to write one saves it).
        self.new_liaisons = planner.plan.state.setdefault("new_liaisons", {})
        # … and an earlier chunk of a commit may have saved them: still new to this plan.
        self.created_liaisons = {x.pk for x in self.new_liaisons.values() if x.pk is not None}
        self.new_name = _("%(name)s (new)")  # translated once, not per row
        self._load(rows, planner.existing_ids, planner.user)

    def header(self, key):
        return self.planner.header(key)

    def change(self, key, before, after):
        return self.context.change(key, before, after)

    def org_plans(self):
        return list(self._orgs.values())

    # -- loading ------------------------------------------------------------

    def _load(self, rows, ids, user):
        today = self.today
        self.covering = defaultdict(list)
        self.orgs_by_name = defaultdict(list)
        self.org_covered = defaultdict(set)
        self.returns = {}
        self.liaisons_by_name = defaultdict(list)
        self.assigned = defaultdict(list)
        self.mass = defaultdict(list)
        if "org_name" in self.present:
            self._load_orgs(rows, ids, user)
        dates = [r.values["return_date"] for r in rows if r.values.get("return_date")]
        if dates and ids:
            for ret in chunked(
                ids,
                lambda c: MembershipReturn.objects.filter(
                    enterprise_id__in=c, reported_on__gte=min(dates), reported_on__lte=max(dates)
                ).order_by(),
            ):
                self.returns[(ret.enterprise_id, ret.reported_on)] = ret
        names = {n for r in rows for n in (r.values.get("liaison") or [])}
        if names:
            for liaison in chunked(
                names, lambda c: Liaison.objects.for_user(user).filter(name__in=c).order_by()
            ):
                self.liaisons_by_name[liaison.name].append(liaison)
            for enterprise_id, name in chunked(
                ids,
                lambda c: (
                    LiaisonAssignment.objects.filter(enterprise_id__in=c)
                    .filter(LiaisonAssignment.active_q(today))
                    .order_by("start")
                    .values_list("enterprise_id", "liaison__name")
                ),
            ):
                self.assigned[enterprise_id].append(name)
        if set(MASS_KINDS) & self.present and ids:
            for m in chunked(
                ids, lambda c: MassOrganization.objects.filter(enterprise_id__in=c).order_by()
            ):
                self.mass[m.enterprise_id].append(m)

    def _load_orgs(self, rows, ids, user):
        today = self.today
        for c in chunked(
            ids,
            lambda c: (
                Coverage.objects.filter(enterprise_id__in=c)
                .filter(Coverage.active_q(today))
                .filter(PartyOrganization.active_q(today, prefix="organization__"))
                .select_related("organization")
                .order_by()
            ),
        ):
            self.covering[c.enterprise_id].append(c.organization)
        names = {r.values["org_name"] for r in rows if r.values.get("org_name")}
        for org in chunked(
            names,
            lambda c: (
                PartyOrganization.objects.for_user(user)
                .filter(name__in=c)
                .active_on(today)
                .select_related("area")
                .order_by("pk")
            ),
        ):
            self.orgs_by_name[org.name].append(org)
        self.scope_org_ids = {o.pk for orgs in self.orgs_by_name.values() for o in orgs}
        candidates = self.scope_org_ids | {
            o.pk for orgs in self.covering.values() for o in orgs if o.name in names
        }
        for org_id, enterprise_id in chunked(
            candidates,
            lambda c: (
                Coverage.objects.filter(organization_id__in=c)
                .filter(Coverage.active_q(today))
                .values_list("organization_id", "enterprise_id")
            ),
        ):
            self.org_covered[org_id].add(enterprise_id)

    # -- one row ------------------------------------------------------------

    def plan(self, row):
        self._plan_org(row)
        self._plan_return(row)
        self._plan_liaisons(row)
        self._plan_mass(row)

    def _plan_org(self, row):
        name = row.values.get("org_name")
        if not name:
            return
        enterprise = row.enterprise
        covering = [o for o in self.covering.get(enterprise.pk, []) if o.name == name]
        if covering:
            plan = self._existing(covering[0])
        else:
            found = self.orgs_by_name.get(name, [])
            if len(found) > 1:
                row.error(
                    "org_name",
                    "ambiguous_organization",
                    _(
                        "Several organisations in your area are named %(name)s (managed by "
                        "%(areas)s); add the enterprise to the right one on its page."
                    )
                    % {"name": name, "areas": "、".join(o.area.name for o in found)},
                )
                return
            plan = self._existing(found[0]) if found else self._new(name)
            row.needs_coverage = True
        row.org = plan
        row.org_spec = {
            key: row.values[key]
            for key in ORG_FIELDS
            if key in self.present and row.values.get(key) is not None
        }
        plan.rows.append(row)

    def _existing(self, org):
        if org.pk not in self._orgs:
            self._orgs[org.pk] = OrgPlan(
                org,
                is_new=False,
                in_scope=org.pk in self.scope_org_ids,
                covered=set(self.org_covered.get(org.pk, ())),
            )
        return self._orgs[org.pk]

    def _new(self, name):
        key = ("new", name)
        if key not in self._orgs:
            self._orgs[key] = OrgPlan(PartyOrganization(name=name), is_new=True)
        return self._orgs[key]

    def _plan_return(self, row):
        day = row.values.get("return_date")
        if day is None:
            return
        enterprise = row.enterprise
        counts = {k: row.values[k] for k in COUNT_KEYS if row.values.get(k) is not None}
        existing = self.returns.get((enterprise.pk, day)) if enterprise.pk else None
        if existing is not None:
            row.return_obj = existing
            for key, value in counts.items():
                if getattr(existing, key) != value:
                    row.changes.append(self.change(key, getattr(existing, key), value))
                    setattr(existing, key, value)
                    row.return_changed = True
            return
        if "formal" not in counts:
            if not row.clean.has_error("formal"):
                row.error(
                    "formal",
                    "required",
                    _("A new membership return needs the number of formal members."),
                )
            return
        row.return_obj = new_return(reported_on=day, **{k: counts.get(k, 0) for k in COUNT_KEYS})
        row.return_new = True
        row.changes.append(self.change("return_date", None, day))
        for key, value in counts.items():
            row.changes.append(self.change(key, None, value))

    def _plan_liaisons(self, row):
        names = row.values.get("liaison") or []
        if not names:
            return
        community = row.community
        street = community.parent
        areas = {community.pk, street.pk, street.parent_id}
        assigned = self.assigned.get(row.enterprise.pk, []) if row.enterprise.pk else []
        created = self.created_liaisons
        for name in names:
            if name in assigned:
                continue
            found = [
                x
                for x in self.liaisons_by_name.get(name, [])
                if x.area_id in areas and x.pk not in created
            ]
            found = [x for x in found if x.active] or found
            if len(found) > 1:
                row.error(
                    "liaison",
                    "ambiguous_liaison",
                    _(
                        "Several liaisons named %(name)s work for this enterprise's area; "
                        "assign the right one on the enterprise's page."
                    )
                    % {"name": name},
                )
                continue
            if found:
                liaison, shown = found[0], name
            else:
                liaison = self.new_liaisons.get((name, street.pk))
                if liaison is None:
                    liaison = self.new_liaisons[(name, street.pk)] = Liaison(
                        name=name, kind=Liaison.Kind.COMMISSIONER, area=street
                    )
                shown = self.new_name % {"name": name}
            row.liaisons.append(liaison)
            row.changes.append(self.change("liaison", assigned, shown))

    def _plan_mass(self, row):
        enterprise = row.enterprise
        existing = self.mass.get(enterprise.pk, []) if enterprise.pk else []
        for key, kind in MASS_KINDS.items():
            day = row.values.get(key)
            if day is None:
                continue
            current = current_mass(existing, kind, self.today)
            if current is None:
                row.mass_new.append(new_mass(kind=kind, established_on=day))
                row.changes.append(self.change(key, None, day))
            elif current.established_on != day:
                row.changes.append(self.change(key, current.established_on, day))
                current.established_on = day
                row.mass_changed.append(current)

    # -- organisations named by several rows ----------------------------------

    def settle(self):
        for plan in self._orgs.values():
            merged = self._merge(plan)
            if plan.is_new:
                self._complete_new(plan, merged)
            else:
                self._apply(plan, merged)
            self._check_standalone(plan)
            for row in plan.rows:
                self._report(plan, row)
            plan.rows = []  # done with them: no cycle row ↔ organisation left behind

    def _merge(self, plan):
        """The organisation's details; rows that disagree on one are all errors."""
        merged = {}
        for key in ORG_FIELDS:
            rows = [r for r in plan.rows if key in r.org_spec]
            values = {r.org_spec[key] for r in rows}
            if len(values) > 1:
                numbers = "、".join(str(r.number) for r in rows)
                for row in rows:
                    row.error(
                        key,
                        "org_conflict",
                        _(
                            "The organisation %(name)s is given different %(column)s "
                            "in rows %(rows)s."
                        )
                        % {"name": plan.org.name, "column": self.header(key), "rows": numbers},
                    )
            elif values:
                merged[key] = values.pop()
        return merged

    def _complete_new(self, plan, merged):
        org = plan.org
        for key in ("org_formation", "org_established"):
            if key not in merged:
                for row in plan.rows:
                    if not row.clean.has_error(key):
                        row.error(
                            key,
                            "required",
                            _("A new organisation (%(name)s) needs its %(column)s.")
                            % {"name": org.name, "column": self.header(key)},
                        )
        org.level = merged.get("org_level", PartyOrganization.Level.BRANCH)
        org.formation = merged.get("org_formation", "")
        org.established_on = merged.get("org_established")
        org.secretary = merged.get("org_secretary", "")
        org.area = _common_area([r.community for r in plan.rows])
        org.next_election_due = org.compute_next_election_due()

    def _apply(self, plan, merged):
        org = plan.org
        for key, value in merged.items():
            name = ORG_FIELDS[key]
            before = getattr(org, name)
            if before != value:
                plan.field_changes.append((key, before, value))
                plan.changed.add(name)
                setattr(org, name, value)
        if plan.changed:
            org.next_election_due = org.compute_next_election_due()
            if not plan.in_scope:
                for row in plan.rows:
                    row.error(
                        "org_name",
                        "org_out_of_scope",
                        _(
                            "The organisation %(name)s is managed outside your area; its "
                            "details cannot be changed from here."
                        )
                        % {"name": org.name},
                    )

    def _check_standalone(self, plan):
        if plan.org.formation != PartyOrganization.Formation.STANDALONE:
            return
        covered = set(plan.covered) | {r.enterprise.pk or id(r) for r in plan.rows}
        if len(covered) > 1:
            for row in plan.rows:
                row.error(
                    "org_name",
                    "standalone_shared",
                    _(
                        "%(name)s is a standalone organisation, which covers exactly one "
                        "enterprise, but it would cover %(n)d. Use 联合组建 for a joint one."
                    )
                    % {"name": plan.org.name, "n": len(covered)},
                )

    def _report(self, plan, row):
        if plan.is_new:
            row.changes.append(
                self.change("org_name", None, self.new_name % {"name": plan.org.name})
            )
        elif row.needs_coverage:
            current = [o.name for o in self.covering.get(row.enterprise.pk, [])]
            row.changes.append(self.change("org_name", current, plan.org.name))
        for key, before, after in plan.field_changes:
            row.changes.append(self.change(key, before, after))


def _common_area(communities):
    """The narrowest area containing every community (for a new organisation)."""
    communities = [c for c in communities if c is not None]
    if not communities:
        return None
    for level in (lambda c: c, lambda c: c.parent, lambda c: c.parent.parent):
        areas = {level(c).pk: level(c) for c in communities}
        if len(areas) == 1:
            return next(iter(areas.values()))
    return None


# ---------------------------------------------------------------------------
# Writing (inside ledger.importer.commit's transaction)


def write_rows(rows, plan):
    """Write planned rows (new or changed): first the organisations and liaisons they are
    the first to need (shared with rows written before or after), then their records."""
    now = timezone.now()
    today = plan.today
    liaisons = {id(x): x for r in rows for x in r.liaisons if x.pk is None}
    bulk.insert(liaisons.values())
    orgs = {id(r.org): r.org for r in rows if r.org is not None}
    bulk.insert([p.org for p in orgs.values() if p.is_new and p.org.pk is None])
    changed = [p for p in orgs.values() if not p.is_new and p.changed and not p.written]
    if changed:
        fields = set().union(*(p.changed for p in changed)) | {"next_election_due", "version"}
        for p in changed:
            p.org.version += 1
            p.written = True
        bulk.update([p.org for p in changed], sorted(fields))
    bulk.insert([r.enterprise for r in rows if r.is_new])
    changed = [r for r in rows if not r.is_new and r.fields]
    if changed:
        for r in changed:
            r.enterprise.version += 1
            r.enterprise.updated_at = now
        fields = set().union(*(r.fields for r in changed)) | {"version", "updated_at"}
        bulk.update([r.enterprise for r in changed], sorted(fields))
    bulk.insert(
        new_coverage(
            organization=r.org.org,
            enterprise=r.enterprise,
            since=r.org.org.established_on if r.org.is_new else today,
        )
        for r in rows
        if r.needs_coverage
    )
    returns = [r for r in rows if r.return_obj is not None]
    for r in returns:
        r.return_obj.enterprise = r.enterprise
    bulk.insert([r.return_obj for r in returns if r.return_new])
    updated = [r.return_obj for r in returns if r.return_changed]
    if updated:
        for ret in updated:
            ret.version += 1  # edit forms opened before the import are stale
        bulk.update(updated, [*COUNT_KEYS, "version"])
    bulk.insert(
        new_assignment(liaison=liaison, enterprise=r.enterprise, start=today)
        for r in rows
        for liaison in r.liaisons
    )
    for r in rows:
        for m in (*r.mass_new, *r.mass_changed):
            m.enterprise = r.enterprise
    bulk.insert([m for r in rows for m in r.mass_new])
    updated = [m for r in rows for m in r.mass_changed]
    if updated:
        for m in updated:
            m.version += 1  # edit forms opened before the import are stale
        bulk.update(updated, ["established_on", "version"])
