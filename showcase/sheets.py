"""The progress sheet of 揭榜挂帅 topics (课题进度), a sheet of the ledger framework
(``ledger.spec``): a site updates the percent done of many topics' milestones from one
sheet (``/ledger/import/topic_progress/``, ``import_ledger topic_progress FILE``).

One row per milestone. A row names its topic and its milestone; it is matched, in order:

- the topic: by 课题编号 (its id, which the export writes) when the cell is filled,
  otherwise by its title (课题名称) among the topics of the user's area, narrowed by
  企业名称 (the enterprise or the site's brand) when the title alone names several;
- the milestone: by 节点编号 when filled, otherwise by its name (节点名称) within the
  topic.

Topics have no code of their own. Titles are what people write, so a hand-made sheet
works with them alone; the ids keep an exported sheet matching where names repeat (two
topics of a street with one title, two milestones of a topic with one name). The title
written next to an id must still be the record's: a row pasted next to the wrong id is
refused, never applied to another topic (a renamed record: export again). Rows never
create topics or milestones: an unknown name is an error listing the known ones (a typo
must not add a milestone).

A row is unchanged when its percent is the stored one, an update otherwise, checked by
``services.check_progress`` (the rules of the phone update: no progress on a closed or
unclaimed topic, 0–100) and written with ``services.apply_progress`` (the phone update's
fields), so the rules live in one place: the milestones are written through the audited
manager (under the commit's import event), each version + 1. The topic's progress
is the weighted mean of its milestones (``selectors.topic_progress``), so it follows. A
finished milestone (100) is done on the date of the figures: the row's 进度日期, or the
date at the top of the sheet, or the one chosen on upload (default today).

课题状态 and 权重 are written by the export for reference and are not imported; a cell
that differs from the stored value gets a note saying so.

``progress_headers`` / ``progress_rows`` are the export (``views.topics``): the same
columns, so that export → edit percents → import gives updates only.
"""

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import cells
from ledger.changes import CHUNK, chunked
from ledger.spec import COUNT, DATE, TEXT, Column, Row, SheetSpec, flag_repeats

from . import services
from .models import TOPIC_UNDER_WAY, Milestone, Topic, TopicState


def parse_percent(value, column):
    """A whole percent from 0 to 100: 80, "80", "80%", "８０％"."""
    if isinstance(value, bool):
        raise cells.CellError("percent_invalid", _percent_message(value))
    if isinstance(value, float) and 0 < value < 1:
        # Excel keeps a cell formatted as a percentage as a fraction (80% is 0.8): reading
        # it as 0.8 percent, or guessing, would be wrong either way.
        raise cells.CellError(
            "percent_fraction",
            _(
                "%(value)s is a fraction: the cell is probably formatted as a percentage in "
                "Excel. Format the column as a number and write 80 (or the text 80%%)."
            )
            % {"value": cells.shown(value)},
        )
    text = value if isinstance(value, int | float) else cells.name_key(value).rstrip("%")
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise cells.CellError("percent_invalid", _percent_message(value)) from None
    if not number.is_integer() or not 0 <= number <= 100:
        raise cells.CellError("percent_invalid", _percent_message(value))
    return int(number)


def _percent_message(value):
    return _(
        "%(value)s is not a percent done: write a whole number from 0 to 100 (80 or 80%%)."
    ) % {"value": cells.shown(value)}


COLUMNS = (
    Column(
        "topic_id",
        "课题编号",
        COUNT,
        gettext_lazy(
            "The topic's number, as the export writes it. Empty: the topic is found by its title."
        ),
        ("课题id", "课题序列号", "课题代码"),
    ),
    Column(
        "enterprise",
        "企业名称",
        TEXT,
        gettext_lazy(
            "The enterprise or the site's brand; needed only when two topics of your area "
            "have the same title."
        ),
        ("企业", "所属企业", "发榜企业", "发榜单位", "示范点", "示范点名称", "单位名称"),
    ),
    Column(
        "topic",
        "课题名称",
        TEXT,
        gettext_lazy("Required. The topic's title, as on its page."),
        ("课题", "揭榜挂帅课题", "课题题目", "攻坚课题", "揭榜课题", "榜单课题", "项目名称"),
        required=True,
    ),
    Column(
        "state",
        "课题状态",
        TEXT,
        gettext_lazy("For reference only, not imported: the state changes on the topic's page."),
        ("状态", "当前状态"),
    ),
    Column(
        "milestone_id",
        "节点编号",
        COUNT,
        gettext_lazy(
            "The milestone's number, as the export writes it. Empty: the milestone is found "
            "by its name within the topic."
        ),
        ("节点id", "里程碑编号", "里程碑id"),
    ),
    Column(
        "milestone",
        "节点名称",
        TEXT,
        gettext_lazy(
            "Required. A milestone of the topic, as on its page; the sheet adds no milestones."
        ),
        ("节点", "里程碑", "里程碑名称", "任务节点", "进度节点", "攻坚节点", "阶段任务"),
        required=True,
    ),
    Column(
        "weight",
        "权重",
        TEXT,
        gettext_lazy(
            "For reference only, not imported: the weight changes on the milestone's page."
        ),
        ("节点权重", "里程碑权重"),
    ),
    Column(
        "percent",
        "完成百分比",
        COUNT,
        gettext_lazy(
            "Required. A whole number from 0 to 100: 80 or 80%. Only a claimed topic that is "
            "not closed records progress."
        ),
        (
            "完成进度",
            "进度",
            "完成比例",
            "完成率",
            "完成度",
            "当前进度",
            "进度百分比",
            "完成情况",
            "百分比",
        ),
        required=True,
        parse=parse_percent,
    ),
    Column(
        "as_of",
        "进度日期",
        DATE,
        gettext_lazy(
            "The day the percent describes; a milestone at 100 is done on that day. Without "
            "this column: the date given once at the top of the sheet (填报日期：…, 截至…), or "
            "the one chosen when uploading (today by default)."
        ),
        ("填报日期", "更新日期", "统计日期", "截至日期", "进度更新日期"),
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
STATE_COLUMN = BY_KEY["state"]


@functools.cache
def state_labels():
    """{state: label} as the sheet writes them (Chinese: the file format is Chinese)."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in TopicState.choices}


@dataclass(eq=False, slots=True)
class ProgressRow(Row):
    topic: Topic | None = None  # the topic the row names (``record`` is the milestone)
    day: dt.date | None = None  # the date of the figures: a finished milestone's done_on


class TopicProgressSheet(SheetSpec):
    kind = "topic_progress"
    label = "课题进度"
    title = gettext_lazy("Update topic progress")
    description = gettext_lazy(
        "Upload a sheet with one row per milestone: the topic, the milestone and its percent "
        "done. You will see what each row would change before anything is saved. Export the "
        "topics' progress, change the percents and upload the file again."
    )
    columns = COLUMNS
    key = ("topic", "milestone")
    required_headers = ("topic", "milestone", "percent")
    as_of_column = "as_of"
    model = Milestone
    row_class = ProgressRow
    preview_columns = ((gettext_lazy("Topic"), "topic"), (gettext_lazy("Milestone"), "milestone"))
    tabs_template = "showcase/_tabs.html"
    tab = "topics"
    list_url = "showcase:topic_list"
    list_label = gettext_lazy("Go to the topic list")

    def scope(self, plan):
        return Topic.objects.for_user(plan.user)

    def links(self, raw):
        """The rows of one topic are planned together (a milestone given twice is seen)."""
        title, number = raw.get("topic"), raw.get("topic_id")
        return (
            ("title", cells.name_key(title)) if not cells.is_blank(title) else None,
            ("id", cells.shown(number)) if not cells.is_blank(number) else None,
        )

    # -- planning ------------------------------------------------------------------

    def plan(self, plan):
        rows = plan.rows
        self._find_topics(plan, rows)
        self._find_milestones(plan, [r for r in rows if r.topic is not None])
        self._flag_duplicates(rows)
        for row in rows:
            if row.record is not None and not row.clean.errors:
                self._plan_percent(plan, row)

    def _index(self, plan):
        """The topics of the user's area, {title key: [(pk, enterprise, brand)]}, read once
        per plan (the titles of a hand-made sheet need not be written exactly)."""
        index = plan.state.get("topics")
        if index is None:
            index = defaultdict(list)
            for pk, title, enterprise, brand in self.scope(plan).values_list(
                "pk", "title", "enterprise__name", "site__brand_name"
            ):
                index[cells.name_key(title)].append((pk, enterprise, brand or ""))
            plan.state["topics"] = index
            plan.state["in_scope"] = {pk for found in index.values() for pk, *_ in found}
        return index

    def _find_topics(self, plan, rows):
        index = self._index(plan)
        in_scope = plan.state["in_scope"]
        wanted = {}  # row → topic pk
        numbers = {r.values["topic_id"] for r in rows if r.values.get("topic_id") is not None}
        by_id = {
            t.pk: t
            for t in chunked(numbers, lambda c: Topic._base_manager.filter(pk__in=c).order_by())
        }
        missing = {}  # title key → rows
        for row in rows:
            number, title = row.values.get("topic_id"), row.values.get("topic")
            if row.clean.has_error("topic_id") or not title:
                continue
            if number is not None:
                topic = by_id.get(number)
                if topic is None:
                    row.error(
                        "topic_id",
                        "topic_id_unknown",
                        _("There is no topic numbered %(number)s.") % {"number": number},
                    )
                elif topic.pk not in in_scope:
                    row.error("topic_id", "out_of_scope", _out_of_scope(title))
                elif cells.name_key(topic.title) != cells.name_key(title):
                    row.error(
                        "topic",
                        "topic_id_mismatch",
                        _(
                            "Topic number %(number)s is “%(stored)s”, not “%(title)s”: check "
                            "that the row is next to the right number."
                        )
                        % {"number": number, "stored": topic.title, "title": title},
                    )
                else:
                    wanted[row] = topic.pk
                continue
            found = titled = index.get(cells.name_key(title), [])
            named = row.values.get("enterprise")
            if named and len(found) > 1:
                key = cells.name_key(named)
                found = [f for f in found if key in (cells.name_key(f[1]), cells.name_key(f[2]))]
            if titled and not found:
                row.error(
                    "enterprise",
                    "enterprise_mismatch",
                    _(
                        "No topic titled “%(title)s” is %(named)s's; the topics so titled: "
                        "%(owners)s."
                    )
                    % {"title": title, "named": named, "owners": _owners(titled)},
                )
            elif len(found) == 1:
                wanted[row] = found[0][0]
            elif found:
                owners = _owners(found)
                row.error(
                    "topic",
                    "topic_ambiguous",
                    _(
                        "Several topics in your area are titled “%(title)s” (%(owners)s): "
                        "fill in 企业名称 or 课题编号."
                    )
                    % {"title": title, "owners": owners},
                )
            else:
                missing.setdefault(title, []).append(row)
        self._unknown_topics(plan, missing)
        topics = {
            t.pk: t
            for t in chunked(
                set(wanted.values()),
                lambda c: (
                    Topic._base_manager.filter(pk__in=c)
                    .select_related("enterprise", "site")
                    .order_by()
                ),
            )
        }
        for row, pk in wanted.items():
            row.topic = topics[pk]
            named = row.values.get("enterprise")
            if named and not row.clean.has_error("enterprise"):
                owners = {
                    row.topic.enterprise.name,
                    row.topic.site.brand_name if row.topic.site else "",
                }
                if cells.name_key(named) not in {cells.name_key(o) for o in owners if o}:
                    row.error(
                        "enterprise",
                        "enterprise_mismatch",
                        _("The topic “%(title)s” is %(owner)s's, not %(named)s's.")
                        % {"title": row.topic.title, "owner": row.topic.owner, "named": named},
                    )
                    row.topic = None

    def _unknown_topics(self, plan, missing):
        """Titles not in the user's area: kept outside it, or unknown anywhere."""
        if not missing:
            return
        outside = {
            cells.name_key(title)
            for title in chunked(
                list(missing),
                lambda c: Topic._base_manager.filter(title__in=c).values_list("title", flat=True),
            )
        }
        for title, rows in missing.items():
            for row in rows:
                if cells.name_key(title) in outside:
                    row.error("topic", "out_of_scope", _out_of_scope(title))
                else:
                    row.error(
                        "topic",
                        "topic_unknown",
                        _(
                            "There is no topic titled “%(title)s” in your area: write the title "
                            "as on the topic's page, or export the topics' progress and fill "
                            "that sheet in."
                        )
                        % {"title": title},
                    )

    def _find_milestones(self, plan, rows):
        topics = {r.topic.pk: r.topic for r in rows}
        by_topic = defaultdict(list)
        for milestone in chunked(
            list(topics),
            lambda c: Milestone._base_manager.filter(topic_id__in=c).order_by("order", "pk"),
        ):
            milestone.topic = topics[milestone.topic_id]  # one topic instance for its rows
            by_topic[milestone.topic_id].append(milestone)
        for row in rows:
            milestones = by_topic[row.topic.pk]
            number, name = row.values.get("milestone_id"), row.values.get("milestone")
            if row.clean.has_error("milestone_id") or not name:
                continue
            if number is not None:
                found = [m for m in milestones if m.pk == number]
                if not found:
                    row.error(
                        "milestone_id",
                        "milestone_id_unknown",
                        _("The topic “%(topic)s” has no milestone numbered %(number)s.")
                        % {"topic": row.topic.title, "number": number},
                    )
                elif cells.name_key(found[0].title) != cells.name_key(name):
                    row.error(
                        "milestone",
                        "milestone_id_mismatch",
                        _(
                            "Milestone number %(number)s is “%(stored)s”, not “%(name)s”: check "
                            "that the row is next to the right number."
                        )
                        % {"number": number, "stored": found[0].title, "name": name},
                    )
                else:
                    row.record = found[0]
                continue
            key = cells.name_key(name)
            found = [m for m in milestones if cells.name_key(m.title) == key]
            if len(found) == 1:
                row.record = found[0]
            elif found:
                row.error(
                    "milestone",
                    "milestone_ambiguous",
                    _(
                        "The topic “%(topic)s” has several milestones named “%(name)s”: fill "
                        "in 节点编号 (export the topics' progress to get them)."
                    )
                    % {"topic": row.topic.title, "name": name},
                )
            else:
                known = "、".join(m.title for m in milestones) or "—"
                row.error(
                    "milestone",
                    "milestone_unknown",
                    _(
                        "The topic “%(topic)s” has no milestone named “%(name)s”. Its "
                        "milestones: %(known)s. Add a new milestone on the topic's page first."
                    )
                    % {"topic": row.topic.title, "name": name, "known": known},
                )

    def _flag_duplicates(self, rows):
        flag_repeats(
            rows,
            lambda row: row.record.pk if row.record is not None else None,
            "milestone",
            "duplicate_key",
            _("The same milestone appears in rows %(rows)s; it may appear only once."),
        )

    def _plan_percent(self, plan, row):
        milestone, topic = row.record, row.topic
        self._reference_notes(row, milestone, topic)
        percent = row.values.get("percent")
        if percent is None or percent == milestone.percent_done:
            return  # unchanged (an empty percent is an error of the cell already)
        try:
            services.check_progress(topic, percent)
        except ValidationError as error:
            problem = error.error_list[0]
            row.error("percent", problem.code or "refused", " ".join(error.messages))
            return
        day = plan.date_for(row.clean)
        if row.clean.has_error("as_of"):
            return
        row.day = day or plan.asked or plan.today
        before = milestone.percent_done
        plan.assign(row, milestone, "percent", percent, "percent_done")
        # The fingerprint holds the stored percent too: a milestone updated (on a phone)
        # between the preview and the commit changes the plan, so the commit writes
        # nothing rather than overwrite a change the preview did not show.
        row.changes[-1].token = f"{before}>{percent}"
        if percent < before:
            row.clean.note(
                "percent",
                "percent_down",
                _("Lower than the stored %(before)s%%: check that this is a correction.")
                % {"before": before},
            )

    def _reference_notes(self, row, milestone, topic):
        """课题状态 and 权重 are not imported: say so when a cell differs."""
        state = row.values.get("state")
        if state and cells.name_key(state) not in {
            cells.name_key(state_labels()[topic.state]),
            topic.state,
        }:
            row.clean.note(
                "state",
                "not_imported",
                _("The state is not imported (it is %(state)s): change it on the topic's page.")
                % {"state": state_labels()[topic.state]},
            )
        weight = row.values.get("weight")
        if weight and cells.name_key(weight) != str(milestone.weight):
            row.clean.note(
                "weight",
                "not_imported",
                _(
                    "The weight is not imported (it is %(weight)s): change it on the "
                    "milestone's page."
                )
                % {"weight": milestone.weight},
            )

    def settle(self, row, plan):
        if row.clean.errors:
            row.changes = []

    def release(self, row):
        row.record = row.topic = None

    # -- writing -------------------------------------------------------------------

    def write(self, plan, rows):
        """The changed milestones of a chunk, through the audited manager: the phone
        update's fields (``services.apply_progress``; its rules, ``check_progress``,
        were applied when the commit planned the rows, inside this transaction), then
        each version + 1. The rows are locked first and their versions compared with
        the planned ones: a milestone saved in between (on a phone) makes the commit
        write nothing (``PlanChanged``: the new preview is shown), as a stale phone form
        is refused. A sheet repeats few values: one audited update per distinct (percent,
        completion date) is then fastest; with many, one ``bulk_update`` (which builds
        a CASE per row and field)."""
        from ledger.importer import PlanChanged

        milestones = {row.record.pk: row.record for row in rows}
        stored = dict(
            chunked(
                list(milestones),
                lambda c: (
                    Milestone._base_manager.select_for_update()
                    .filter(pk__in=c)
                    .values_list("pk", "version")
                ),
            )
        )
        if any(stored.get(pk) != m.version for pk, m in milestones.items()):
            raise PlanChanged
        groups = defaultdict(list)
        for row in rows:
            milestone = row.record
            services.apply_progress(milestone, milestone.percent_done, row.day)
            groups[(milestone.percent_done, milestone.done_on)].append(milestone.pk)
        if len(groups) <= GROUPED_UPDATES:
            for (percent, done_on), pks in groups.items():
                for part in _parts(pks):
                    Milestone.objects.filter(pk__in=part).update(
                        percent_done=percent, done_on=done_on
                    )
        else:
            Milestone.objects.bulk_update(milestones.values(), ["percent_done", "done_on"])
        now = timezone.now()
        for part in _parts(list(milestones)):
            # version and updated_at are not audited (``audit_exclude``): the plain manager
            Milestone._base_manager.filter(pk__in=part).update(
                version=F("version") + 1, updated_at=now
            )
        for milestone in milestones.values():
            milestone.version += 1
            milestone.updated_at = now

    # -- the template ------------------------------------------------------------------

    def examples(self, user):
        """Two milestones of a topic under way in the user's area (so the template imports
        as it is), or illustrative rows."""
        topic = (
            Topic.objects.for_user(user)
            .filter(state__in=TOPIC_UNDER_WAY)
            .exclude(state=TopicState.CLOSED)
            .filter(milestones__isnull=False)
            .select_related("enterprise", "site")
            .order_by("due_on", "pk")
            .first()
        )
        if topic is None:
            return [
                _example(
                    None,
                    "青岛海容商用冷链股份有限公司",
                    "提升挂件空间利用率",
                    "攻坚中",
                    None,
                    m,
                    w,
                    p,
                )
                for m, w, p in (("方案论证", 2, 100), ("试点改造", 3, 60))
            ]
        return [
            _example(
                topic,
                str(topic.owner),
                topic.title,
                state_labels()[topic.state],
                m.pk,
                m.title,
                m.weight,
                m.percent_done,
            )
            for m in topic.milestones.order_by("order", "pk")[:2]
        ]

    def template_notes(self):
        return [
            _(
                "One row per milestone. Rows are matched on 课题编号 and 节点编号 when filled, "
                "otherwise on the topic's title and the milestone's name; a row never adds a "
                "topic or a milestone."
            ),
            _(
                "The quickest sheet: on the topic list, choose the site and “Export progress”, "
                "change the percents, and upload the file."
            ),
        ]


def _example(topic, owner, title, state, milestone_id, name, weight, percent):
    return {
        "topic_id": topic.pk if topic else None,
        "enterprise": owner,
        "topic": title,
        "state": state,
        "milestone_id": milestone_id,
        "milestone": name,
        "weight": weight,
        "percent": percent,
    }


GROUPED_UPDATES = 20  # distinct (percent, date) pairs written by one UPDATE each


def _parts(pks):
    return [pks[i : i + CHUNK] for i in range(0, len(pks), CHUNK)]


def _owners(found):
    return "、".join(sorted({brand or enterprise for _pk, enterprise, brand in found}))


def _out_of_scope(title):
    return _("The topic “%(title)s” is kept outside your area; it cannot be updated from here.") % {
        "title": title
    }


SHEET = TopicProgressSheet()
SHEETS = (SHEET,)


# ---------------------------------------------------------------------------
# The export: the same columns, one row per milestone


def progress_headers():
    return [c.header for c in COLUMNS]


def progress_rows(topics):
    """The sheet's rows for ``topics`` (a queryset, in its order): one per milestone (a
    topic without milestones has no progress to update, so no row). The date column is
    left empty: the figures are dated when they are imported."""
    labels = state_labels()
    topics = topics.select_related("enterprise", "site").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("order", "pk"))
    )
    for topic in topics.iterator(chunk_size=500):
        head = [topic.pk, str(topic.owner), topic.title, labels[topic.state]]
        for m in topic.milestones.all():
            yield [*head, m.pk, m.title, m.weight, m.percent_done, None]
