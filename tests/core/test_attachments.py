"""Attachments in the kit: type by content, size limit, thumbnails, storage, audit, and
the scope of downloads and uploads (stranger 404, leader 403)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from audit.models import Change
from core.attachments import files
from core.attachments.services import attachment_add, attachments_of
from core.models import Attachment
from tests.factories import EnterpriseFactory, png_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def image_bytes(fmt, size=(800, 600), mode="RGB"):
    out = io.BytesIO()
    color = (10, 120, 200, 128) if mode == "RGBA" else (10, 120, 200)
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def enterprise(shuicheng):
    return EnterpriseFactory(community=shuicheng)


# ---------------------------------------------------------------------------
# Type by content


@pytest.mark.parametrize(
    "name, data, kind, mime",
    [
        ("photo.png", png_bytes(), "image", "image/png"),
        ("photo.jpg", image_bytes("JPEG"), "image", "image/jpeg"),
        ("anim.gif", image_bytes("GIF"), "image", "image/gif"),
        ("photo.webp", image_bytes("WEBP"), "image", "image/webp"),
        ("report.pdf", PDF, "pdf", "application/pdf"),
        ("photo.pdf", png_bytes(), "image", "image/png"),  # the name lies; the bytes decide
        ("scan", PDF, "pdf", "application/pdf"),
    ],
)
def test_accepted_by_what_the_bytes_are(name, data, kind, mime):
    inspected = files.inspect(upload(name, data, content_type="text/html"))
    assert (inspected.kind, inspected.mime_type) == (kind, mime)


@pytest.mark.parametrize(
    "name, data",
    [
        ("report.pdf", HTML),  # an HTML page called .pdf
        ("photo.png", EXE),  # a renamed .exe
        ("notes.txt", "党建工作台账".encode()),
        ("broken.pdf", PDF.replace(b"%%EOF", b"")),  # no trailer
        ("late.pdf", b"junk" + PDF),  # the header must come first
        ("half.png", png_bytes(size=(300, 300))[:-60]),  # signature, then damaged
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("page.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    ],
)
def test_refused_when_the_bytes_are_not_an_accepted_type(name, data):
    with pytest.raises(ValidationError) as info:
        files.inspect(upload(name, data, content_type="image/png"))
    assert info.value.code in ("type", "damaged")


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as info:
        files.inspect(upload("empty.png", b""))
    assert info.value.code == "empty"


def test_a_decompression_bomb_is_refused(settings, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValidationError) as info:
        files.inspect(upload("big.png", png_bytes(size=(100, 100))))
    assert info.value.code == "bomb"


# ---------------------------------------------------------------------------
# Size


def test_the_size_limit(settings):
    data = png_bytes(size=(200, 200))
    settings.ATTACHMENT_MAX_BYTES = len(data)
    assert files.inspect(upload("ok.png", data)).size == len(data)
    settings.ATTACHMENT_MAX_BYTES = len(data) - 1
    with pytest.raises(ValidationError) as info:
        files.inspect(upload("big.png", data))
    assert info.value.code == "too_large"


def test_the_default_limit_is_10_mb(settings):
    assert settings.ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    big = upload("big.pdf", PDF + b"\n" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as info:
        files.inspect(big)
    assert "10 MB" in info.value.messages[0]


# ---------------------------------------------------------------------------
# Storing, thumbnails, audit


def test_stored_under_the_media_root_with_a_name_of_our_own(enterprise, settings):
    attachment = attachment_add(
        owner=enterprise, upload=upload("../../etc/passwd.png", png_bytes()), caption="活动室"
    )
    assert attachment.original_name == "passwd.png"
    assert attachment.file.name.startswith("attachments/") and attachment.file.name.endswith(".png")
    assert "passwd" not in attachment.file.name
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert attachment.size == len(png_bytes()) and len(attachment.sha256) == 64
    assert attachment.owner == enterprise
    assert list(attachments_of(enterprise)) == [attachment]


def test_a_thumbnail_is_made_for_images(enterprise):
    attachment = attachment_add(owner=enterprise, upload=upload("p.jpg", image_bytes("JPEG")))
    assert (attachment.width, attachment.height) == (800, 600)
    with Image.open(attachment.thumbnail.open("rb")) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= 320 and thumb.size == (320, 240)
    transparent = attachment_add(
        owner=enterprise, upload=upload("t.png", image_bytes("PNG", mode="RGBA"))
    )
    with Image.open(transparent.thumbnail.open("rb")) as thumb:
        assert thumb.format == "PNG" and thumb.mode == "RGBA"
    pdf = attachment_add(owner=enterprise, upload=upload("r.pdf", PDF))
    assert not pdf.thumbnail


def test_uploads_and_deletions_are_audited_and_files_removed(
    enterprise, django_capture_on_commit_callbacks
):
    attachment = attachment_add(owner=enterprise, upload=upload("p.png", png_bytes()))
    created = attachment.history().get(action="create")
    assert created.changes["original_name"] == [None, "p.png"]
    storage, names = attachment.file.storage, [attachment.file.name, attachment.thumbnail.name]
    assert all(storage.exists(n) for n in names)
    pk = attachment.pk
    with django_capture_on_commit_callbacks(execute=True):
        attachment.delete()
    assert not any(storage.exists(n) for n in names)
    assert Change.objects.filter(
        content_type=created.content_type, object_pk=str(pk), action=Change.Action.DELETE
    ).exists()


def test_an_unsaved_owner_cannot_have_attachments(shuicheng):
    with pytest.raises(ValidationError):
        attachment_add(owner=EnterpriseFactory.build(), upload=upload("p.png", png_bytes()))


# ---------------------------------------------------------------------------
# Downloads: scope through the owner


@pytest.fixture
def photo(enterprise):
    return attachment_add(owner=enterprise, upload=upload("活动室.png", png_bytes()))


def test_staff_download_the_file_and_its_thumbnail(staff_client, photo):
    response = staff_client.get(photo.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")
    thumb = staff_client.get(photo.thumbnail_url())
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"


def test_a_pdf_is_downloaded_not_shown(staff_client, enterprise):
    pdf = attachment_add(owner=enterprise, upload=upload("协议.pdf", PDF))
    response = staff_client.get(pdf.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert staff_client.get(reverse("attachments:thumbnail", args=[pdf.pk])).status_code == 404


def test_a_leader_of_the_street_downloads_too(leader_client, photo):
    assert leader_client.get(photo.get_absolute_url()).status_code == 200


def test_a_stranger_gets_404(stranger_client, photo):
    assert stranger_client.get(photo.get_absolute_url()).status_code == 404
    assert stranger_client.get(photo.thumbnail_url()).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, photo):
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_missing_attachment_or_file_is_404(staff_client, photo):
    assert (
        staff_client.get(reverse("attachments:download", args=[photo.pk + 99])).status_code == 404
    )
    photo.file.storage.delete(photo.file.name)
    assert staff_client.get(photo.get_absolute_url()).status_code == 404


def test_nothing_serves_the_media_root(staff_client, photo):
    assert staff_client.get("/media/" + photo.file.name).status_code == 404


# ---------------------------------------------------------------------------
# The upload view a record page mounts


pytestmark_urls = pytest.mark.urls("tests.core.urls")


def upload_url(enterprise):
    return reverse("up", args=[enterprise.pk])


@pytestmark_urls
def test_staff_upload_to_a_record_and_return_to_its_page(staff_client, enterprise):
    response = staff_client.post(
        upload_url(enterprise), {"file": upload("合影.jpg", image_bytes("JPEG")), "caption": "合影"}
    )
    assert response.status_code == 302 and response.url == enterprise.get_absolute_url()
    attachment = Attachment.objects.get()
    assert attachment.owner == enterprise and attachment.caption == "合影"
    assert attachment.uploaded_by.username == "jn_staff" and attachment.thumbnail


@pytestmark_urls
def test_a_refused_upload_says_why_and_writes_nothing(staff_client, enterprise):
    response = staff_client.post(
        upload_url(enterprise), {"file": upload("report.pdf", HTML)}, follow=True
    )
    assert not Attachment.objects.exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("PDF" in m for m in messages)


@pytestmark_urls
def test_a_leader_gets_403(leader_client, enterprise):
    response = leader_client.post(upload_url(enterprise), {"file": upload("p.png", png_bytes())})
    assert response.status_code == 403 and not Attachment.objects.exists()
    assert leader_client.get(upload_url(enterprise)).status_code == 403


@pytestmark_urls
def test_a_stranger_gets_404_on_upload(stranger_client, enterprise):
    response = stranger_client.post(upload_url(enterprise), {"file": upload("p.png", png_bytes())})
    assert response.status_code == 404 and not Attachment.objects.exists()
    assert stranger_client.get(upload_url(enterprise)).status_code == 404


@pytestmark_urls
def test_upload_is_post_only(staff_client, enterprise):
    assert staff_client.get(upload_url(enterprise)).status_code == 405


@pytestmark_urls
def test_anonymous_upload_is_sent_to_sign_in(client, enterprise):
    response = client.post(upload_url(enterprise), {"file": upload("p.png", png_bytes())})
    assert response.status_code == 302 and not Attachment.objects.exists()


def test_the_record_page_mixin(rf, staff, leader, photo, enterprise):
    from django.views.generic import DetailView

    from core.attachments.views import AttachmentsContextMixin
    from enterprises.models import Enterprise

    class Page(AttachmentsContextMixin, DetailView):
        model = Enterprise
        attachment_upload_url_name = "enterprises:detail"

    for user, has_form in ((staff, True), (leader, False)):
        request = rf.get("/")
        request.user = user
        view = Page()
        view.setup(request, pk=enterprise.pk)
        view.object = enterprise
        context = view.get_context_data()
        assert list(context["attachments"]) == [photo]
        assert ("attachment_form" in context) is has_form
