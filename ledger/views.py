"""Import (upload → progress → preview → confirm → progress → result), the error report,
the template, exports.

Imports are editor views (403 for leaders); a batch is visible only to the user who
uploaded it (404 for anyone else). The work runs in the task worker (``tasks.py``), so
every request returns at once; a batch's page shows its progress and refreshes itself
(a ``<meta refresh>`` without JavaScript, htmx polling with it). Exports are read
views: every user may export the lists they can see, with the lists' filters.
"""

import io
import logging

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView
from django_htmx.http import HttpResponseClientRefresh

from accounts.permissions import EditorRequiredMixin
from audit.middleware import client_ip
from core import exports, registry
from core.views import ScopedQuerysetMixin

from . import exporting, parsing, services, specs, workbooks
from .forms import UploadForm
from .models import ImportBatch
from .spec import STATUSES

log = logging.getLogger(__name__)
PREVIEW_PAGE_SIZE = 100
PHASES = {
    "queued": gettext_lazy("Waiting for the import worker"),
    "reading": gettext_lazy("Reading the file"),
    "checking": gettext_lazy("Checking every row against the database"),
    "storing": gettext_lazy("Storing the preview"),
    "writing": gettext_lazy("Writing the records"),
}


class ImportUploadView(EditorRequiredMixin, FormView):
    form_class = UploadForm
    template_name = "ledger/upload.html"

    @cached_property
    def spec(self):
        return specs.get_or_404(self.kwargs.get("kind"))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "spec": self.spec}

    def get_context_data(self, **kwargs):
        recent = ImportBatch.objects.for_user(self.request.user).defer(
            "rows_blob", "plan_blob", "upload"
        )[:10]
        default = specs.default()
        if self.spec is default:
            template_url = reverse("ledger:template")
        else:
            template_url = reverse("ledger:template", kwargs={"kind": self.spec.kind})
        return super().get_context_data(
            spec=self.spec,
            other_kinds=[s for s in specs.all_specs() if s is not self.spec],
            template_url=template_url,
            recent=recent,
            max_mb=parsing.max_bytes() // (1024 * 1024),
            max_rows=f"{parsing.max_rows():,}",
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            parsing.sniff(upload, upload.name)  # what takes no time is checked at once
        except parsing.FileProblem as problem:
            form.add_error("file", problem.message)
            return self.form_invalid(form)
        batch = services.start_preview(
            upload,
            upload.name,
            self.request.user,
            kind=self.spec.kind,
            as_of=form.cleaned_data.get("as_of"),
            sheet_name=form.cleaned_data.get("sheet", ""),
        )
        return redirect(batch)


class _BatchMixin(EditorRequiredMixin, ScopedQuerysetMixin):
    model = ImportBatch

    def batch(self, queryset=None):
        return get_object_or_404(
            queryset if queryset is not None else self.get_queryset(), pk=self.kwargs["pk"]
        )


class ImportPreviewView(_BatchMixin, DetailView):
    """The batch's page: its progress while the worker runs, then the preview or the
    result. Served outside a transaction (urls.py): it only reads, and on SQLite a
    transaction would wait for the worker's commit."""

    template_name = "ledger/preview.html"
    context_object_name = "batch"

    def get_queryset(self):
        return super().get_queryset().select_related("event").defer("upload")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        running = self.object.is_running and not self.stalled
        if request.htmx and not running:
            return HttpResponseClientRefresh()  # the work is over: show the whole page
        context = self.get_context_data(object=self.object, running=running)
        return self.render_to_response(context)

    @cached_property
    def stalled(self):
        batch = self.object
        return batch.is_running and (batch.is_stalled() or services.task_failed(batch))

    @cached_property
    def show(self):
        show = self.request.GET.get("show", "")
        return show if show in (*STATUSES, "notes") else ""

    def get_context_data(self, **kwargs):
        batch = self.object
        summary = batch.summary or {}
        spec = batch.spec
        context = {
            "spec": spec,
            "stalled": self.stalled,
            "as_of_text": services.describe_as_of(summary.get("as_of")),
            "file_notes": services.describe_notes(summary.get("file_notes")),
            "label_headers": [label for label, _key in spec.preview()],
        }
        if batch.is_running and not self.stalled:
            progress = batch.progress or {}
            done, total = progress.get("done", 0), progress.get("total", 0)
            phase = progress.get("phase") or "queued"
            context.update(
                phase=PHASES.get(phase, PHASES["queued"]),
                done=done,
                total=total if phase in ("checking", "writing") else 0,
                percent=int(100 * done / total) if total else None,
                waited=int(
                    (timezone.now() - (batch.heartbeat_at or batch.created_at)).total_seconds()
                ),
                queued_long=batch.status == ImportBatch.Status.QUEUED
                and (timezone.now() - batch.created_at).total_seconds() > 15,
            )
            return super().get_context_data(**context, **kwargs)
        rows = batch.load_plan() if batch.plan_blob else []
        if self.show == "notes":
            rows = [r for r in rows if r.get("o")]
        elif self.show:
            rows = [r for r in rows if r["s"] == self.show]
        if not self.show and not batch.is_committed:
            rows.sort(key=lambda r: (STATUSES.index(r["s"]), r["n"]))  # errors first
        else:
            rows.sort(key=lambda r: r["n"])  # planned in chunks: shown in file order
        page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = f"show={self.show}&" if self.show else ""
        return super().get_context_data(
            **context,
            page_obj=page,
            rows=page.object_list,
            show=self.show,
            query=query.rstrip("&"),
            can_confirm=can_confirm(batch, self.stalled),
            filters=[
                ("", _("All"), summary.get("total", 0)),
                ("error", _("Errors"), summary.get("errors", 0)),
                ("new", _("New"), summary.get("created", 0)),
                ("update", _("Updates"), summary.get("updated", 0)),
                ("unchanged", _("Unchanged"), summary.get("unchanged", 0)),
                ("notes", _("With notes"), summary.get("notes", 0)),
            ],
            **kwargs,
        )


def can_confirm(batch, stalled=False):
    summary = batch.summary or {}
    ready = batch.status == ImportBatch.Status.PREVIEW or (
        batch.status == ImportBatch.Status.COMMITTING and stalled
    )
    return bool(
        ready and not summary.get("errors") and (summary.get("created") or summary.get("updated"))
    )


class ImportConfirmView(_BatchMixin, View):
    """POST: queue the commit of the previewed batch (all rows or none)."""

    def get(self, request, pk):
        return redirect(self.batch())

    def post(self, request, pk):
        batch = self.batch(self.get_queryset().select_for_update().defer("upload"))
        summary = batch.summary or {}
        stalled = batch.is_running and (batch.is_stalled() or services.task_failed(batch))
        if batch.is_committed or (batch.is_running and not stalled):
            return redirect(batch)
        if summary.get("errors"):
            messages.error(
                request,
                _(
                    "Nothing was imported: this file has rows with errors. Download the error "
                    "report, fix the marked cells and upload the file again."
                ),
            )
            return redirect(batch)
        if summary.get("unknown") and not request.POST.get("acknowledge_unknown"):
            messages.error(
                request,
                _(
                    "Nothing was imported yet: some columns are not recognised. Tick “I confirm "
                    "these columns are not imported” to import without them, or rename them "
                    "and upload the file again."
                ),
            )
            return redirect(batch)
        if not can_confirm(batch, stalled):
            return redirect(batch)
        services.start_commit(batch, ip=client_ip(request))
        return redirect(batch)


class ErrorReportView(_BatchMixin, View):
    def get(self, request, pk):
        batch = self.batch(self.get_queryset().defer("upload"))
        if batch.rows_blob is None or batch.plan_blob is None:
            raise Http404
        stem = batch.file_name.rsplit(".", 1)[0] or "ledger"
        return FileResponse(
            services.report_file(batch),
            as_attachment=True,
            filename=f"{stem}-{_('errors')}.xlsx",
            content_type=exporting.XLSX,
        )


class TemplateView(LoginRequiredMixin, View):
    def get(self, request, kind=None):
        spec = specs.get_or_404(kind)
        buffer = io.BytesIO()
        workbooks.template_workbook(spec, request.user).save(buffer)
        buffer.seek(0)
        return FileResponse(
            buffer,
            as_attachment=True,
            filename=f"{spec.label or spec.kind}模板.xlsx",
            content_type=exporting.XLSX,
        )


class ExportView(LoginRequiredMixin, View):
    """GET /ledger/export/<kind>.<xlsx|csv>?<the list's filters>: any registered table
    (core/registry.py), with the list's scope, filters and order."""

    def get(self, request, kind, fmt):
        table = registry.table(kind)
        if table is None or fmt not in ("xlsx", "csv"):
            raise Http404
        _filterset, _sorting, queryset = table.rows_for(request.GET, request.user, request)
        rows = table.export_rows(queryset, request.user)
        name = table.export_name
        return exports.respond(fmt, table.export_headers(), rows, name, name)
