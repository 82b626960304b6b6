"""What an uploaded file really is, decided from its bytes, never from its name.

Accepted: PNG, JPEG, GIF and WebP images (the signature, then Pillow opens the file as
that one format, ``verify()``s it and decodes it) and PDF documents (a ``%PDF-x.y`` header
and an ``%%EOF`` trailer). Everything else is refused: a renamed .exe, an HTML page
called ``scan.pdf``, an image with a damaged body, an image whose pixel count is a
decompression bomb. Files are limited to ``settings.ATTACHMENT_MAX_BYTES`` (10 MB).
"""

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE = "image"
PDF = "pdf"

# Pillow format name → (MIME type, stored extension)
IMAGE_FORMATS = {
    "PNG": ("image/png", ".png"),
    "JPEG": ("image/jpeg", ".jpg"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
PDF_TYPE = ("application/pdf", ".pdf")
PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
PDF_TRAILER_WINDOW = 1024  # %%EOF must appear in the last KB (trailing whitespace allowed)


@dataclass(frozen=True)
class Inspected:
    kind: str  # IMAGE or PDF
    mime_type: str
    extension: str
    data: bytes
    sha256: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self):
        return len(self.data)


def megabytes(n):
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0")


def too_large_error(size, limit):
    return ValidationError(
        _("A file can be at most %(max)s MB; this one is %(size)s MB.")
        % {"max": megabytes(limit), "size": megabytes(size)},
        code="too_large",
    )


def not_allowed_error():
    return ValidationError(
        _(
            "Only photos (PNG, JPEG, GIF, WebP) and PDF documents can be attached; "
            "this file is neither, whatever its name says."
        ),
        code="type",
    )


def read_upload(upload, limit=None):
    """The upload's bytes, refusing an empty file or one over the limit before reading
    more than the limit."""
    limit = settings.ATTACHMENT_MAX_BYTES if limit is None else limit
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_large_error(size, limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large_error(size or len(data), limit)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    return data


def image_format(data):
    """The image format named by the file's signature, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def is_pdf(data):
    return bool(PDF_HEADER.match(data)) and b"%%EOF" in data[-PDF_TRAILER_WINDOW:]


def _check_image(data, fmt):
    """Width and height, after Pillow has verified and decoded the file as ``fmt``."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                image.load()  # verify() does not decode pixels; a truncated body fails here
                return image.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                _("The image has too many pixels to be processed safely."), code="bomb"
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            raise ValidationError(
                _("The image is damaged or incomplete and cannot be opened."), code="damaged"
            ) from error


def inspect(upload, limit=None):
    """Read and check an upload: an ``Inspected`` or a ValidationError saying why not."""
    data = read_upload(upload, limit)
    digest = hashlib.sha256(data).hexdigest()
    fmt = image_format(data)
    if fmt is not None:
        width, height = _check_image(data, fmt)
        mime, ext = IMAGE_FORMATS[fmt]
        return Inspected(IMAGE, mime, ext, data, digest, width, height)
    if is_pdf(data):
        mime, ext = PDF_TYPE
        return Inspected(PDF, mime, ext, data, digest)
    raise not_allowed_error()


def make_thumbnail(data, size=None):
    """(bytes, extension) of a thumbnail that fits in ``size``: upright (EXIF orientation
    applied), PNG when the image has transparency, else JPEG."""
    size = size or settings.ATTACHMENT_THUMBNAIL_SIZE
    with Image.open(io.BytesIO(data)) as original:
        image = ImageOps.exif_transpose(original)
        image.thumbnail(size)
        transparent = image.mode in ("RGBA", "LA") or (
            image.mode == "P" and "transparency" in image.info
        )
        out = io.BytesIO()
        if transparent:
            image.convert("RGBA").save(out, "PNG", optimize=True)
            return out.getvalue(), ".png"
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), ".jpg"
