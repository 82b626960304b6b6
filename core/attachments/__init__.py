"""Attachments (photos, PDFs) for any record of any part: the file rules (``files``), the
write (``services.attachment_add``), the upload form and view mixin a record page uses
(``forms``, ``views``) and the download views that check scope (``urls``)."""
