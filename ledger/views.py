"""Import (upload → preview → confirm → summary), the error report, the template, exports.

Imports are editor views (403 for leaders); a batch is visible only to the user who
uploaded it (404 for anyone else). Exports are read views: every user may export the
lists they can see, with the lists' filters.
"""

import io
import logging

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from accounts.permissions import EditorRequiredMixin
from audit.middleware import client_ip
from core import exports, registry
from core.views import ScopedQuerysetMixin

from . import exporting, parsing, services
from .forms import UploadForm
from .importer import STATUSES
from .models import ImportBatch

log = logging.getLogger(__name__)
PREVIEW_PAGE_SIZE = 100


class ImportUploadView(EditorRequiredMixin, FormView):
    form_class = UploadForm
    template_name = "ledger/upload.html"

    def get_context_data(self, **kwargs):
        recent = ImportBatch.objects.for_user(self.request.user).defer("rows_blob", "plan_blob")[
            :10
        ]
        return super().get_context_data(
            recent=recent,
            max_mb=parsing.max_bytes() // (1024 * 1024),
            max_rows=f"{parsing.max_rows():,}",
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            batch = services.preview(upload, upload.name, self.request.user)
        except parsing.FileProblem as problem:
            form.add_error("file", problem.message)
            return self.form_invalid(form)
        return redirect(batch)


class _BatchMixin(EditorRequiredMixin, ScopedQuerysetMixin):
    model = ImportBatch

    def batch(self, queryset=None):
        return get_object_or_404(
            queryset if queryset is not None else self.get_queryset(), pk=self.kwargs["pk"]
        )


class ImportPreviewView(_BatchMixin, DetailView):
    template_name = "ledger/preview.html"
    context_object_name = "batch"

    def get_queryset(self):
        return super().get_queryset().select_related("event")

    @cached_property
    def show(self):
        show = self.request.GET.get("show", "")
        return show if show in (*STATUSES, "notes") else ""

    def get_context_data(self, **kwargs):
        rows = self.object.load_plan()
        if self.show == "notes":
            rows = [r for r in rows if r.get("o")]
        elif self.show:
            rows = [r for r in rows if r["s"] == self.show]
        elif not self.object.is_committed:
            rows.sort(key=lambda r: (STATUSES.index(r["s"]), r["n"]))  # errors first
        page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(self.request.GET.get("page"))
        summary = self.object.summary
        query = f"show={self.show}&" if self.show else ""
        return super().get_context_data(
            page_obj=page,
            rows=page.object_list,
            show=self.show,
            query=query.rstrip("&"),
            can_confirm=(
                not self.object.is_committed
                and not summary.get("errors")
                and (summary.get("created") or summary.get("updated"))
            ),
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


class ImportConfirmView(_BatchMixin, View):
    """POST: commit the previewed batch (all rows or none)."""

    def get(self, request, pk):
        return redirect(self.batch())

    def post(self, request, pk):
        batch = self.batch(self.get_queryset().select_for_update())
        if batch.is_committed:
            return redirect(batch)
        try:
            event = services.confirm(batch, request.user, client_ip(request))
        except DatabaseError:
            log.exception("import %s failed", batch.pk)
            messages.error(
                request, _("The import failed and nothing was saved. Try again in a moment.")
            )
            return redirect(batch)
        if event is None:
            messages.warning(
                request,
                _(
                    "Nothing was saved: the data changed since the preview. Check the new "
                    "preview below and confirm again."
                ),
            )
        else:
            s = batch.summary
            messages.success(
                request,
                _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % s,
            )
        return redirect(batch)


class ErrorReportView(_BatchMixin, View):
    def get(self, request, pk):
        batch = self.batch()
        if batch.rows_blob is None:
            raise Http404
        stem = batch.file_name.rsplit(".", 1)[0] or "ledger"
        return FileResponse(
            services.report_file(batch),
            as_attachment=True,
            filename=f"{stem}-{_('errors')}.xlsx",
            content_type=exporting.XLSX,
        )


class TemplateView(LoginRequiredMixin, View):
    def get(self, request):
        buffer = io.BytesIO()
        exporting.template_workbook(request.user).save(buffer)
        buffer.seek(0)
        return FileResponse(
            buffer, as_attachment=True, filename="企业台账模板.xlsx", content_type=exporting.XLSX
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
