"""The party-building facts of a row: its organisation, membership return, liaisons and
工会 / 共青团 / 妇联. Used by ``importer.Planner``; the rules are listed there.

Everything the rows need is read up front (``_load``), in chunks, so planning costs a
fixed number of queries whatever the number of rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.dated import holds_on
from enterprises.models import (
    Coverage,
    Liaison,
    LiaisonAssignment,
    MassOrganization,
    MembershipReturn,
    PartyOrganization,
)

from . import columns as cols
from .changes import change, chunked

ORG_FIELDS = {
    "org_level": "level",
    "org_formation": "formation",
    "org_established": "established_on",
    "org_secretary": "secretary",
}
MASS_KINDS = {
    "union": MassOrganization.Kind.UNION,
    "youth_league": MassOrganization.Kind.YOUTH_LEAGUE,
    "women": MassOrganization.Kind.WOMEN,
}


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


def current_mass(organizations, kind, day):
    """The active mass organisation of a kind at ``day`` (the latest established)."""
    active = [
        m
        for m in organizations
        if m.kind == kind and holds_on(m.established_on, m.dissolved_on, day)
    ]
    return max(active, key=lambda m: (m.established_on, m.pk), default=None)


class FactPlanner:
    def __init__(self, planner, rows):
        self.planner = planner
        self.today = planner.today
        self.present = planner.present
        self._orgs = {}
        self.new_liaisons = {}
        self._load(rows, planner.existing_ids, planner.user)

    def header(self, key):
        return self.planner.header(key)

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
        if dates:
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
        if set(MASS_KINDS) & self.present:
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
        counts = {k: row.values[k] for k in cols.COUNT_KEYS if row.values.get(k) is not None}
        existing = self.returns.get((enterprise.pk, day)) if enterprise.pk else None
        if existing is not None:
            row.return_obj = existing
            for key, value in counts.items():
                if getattr(existing, key) != value:
                    row.changes.append(change(self.header(key), key, getattr(existing, key), value))
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
        row.return_obj = MembershipReturn(
            reported_on=day, **{k: counts.get(k, 0) for k in cols.COUNT_KEYS}
        )
        row.return_new = True
        row.changes.append(change(self.header("return_date"), "return_date", None, day))
        for key, value in counts.items():
            row.changes.append(change(self.header(key), key, None, value))

    def _plan_liaisons(self, row):
        names = row.values.get("liaison") or []
        if not names:
            return
        community = row.community
        street = community.parent
        areas = {community.pk, street.pk, street.parent_id}
        assigned = self.assigned.get(row.enterprise.pk, []) if row.enterprise.pk else []
        for name in names:
            if name in assigned:
                continue
            found = [x for x in self.liaisons_by_name.get(name, []) if x.area_id in areas]
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
                liaison = self.new_liaisons.setdefault(
                    (name, street.pk),
                    Liaison(name=name, kind=Liaison.Kind.COMMISSIONER, area=street),
                )
                shown = _("%(name)s (new)") % {"name": name}
            row.liaisons.append(liaison)
            row.changes.append(change(self.header("liaison"), "liaison", assigned, shown))

    def _plan_mass(self, row):
        enterprise = row.enterprise
        existing = self.mass.get(enterprise.pk, []) if enterprise.pk else []
        for key, kind in MASS_KINDS.items():
            day = row.values.get(key)
            if day is None:
                continue
            current = current_mass(existing, kind, self.today)
            if current is None:
                row.mass_new.append(MassOrganization(kind=kind, established_on=day))
                row.changes.append(change(self.header(key), key, None, day))
            elif current.established_on != day:
                row.changes.append(change(self.header(key), key, current.established_on, day))
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
        header = self.header("org_name")
        if plan.is_new:
            row.changes.append(
                change(header, "org_name", None, _("%(name)s (new)") % {"name": plan.org.name})
            )
        elif row.needs_coverage:
            current = [o.name for o in self.covering.get(row.enterprise.pk, [])]
            row.changes.append(change(header, "org_name", current, plan.org.name))
        for key, before, after in plan.field_changes:
            row.changes.append(change(self.header(key), key, before, after))


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
