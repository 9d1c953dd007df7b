"""Hashing an uploaded PDF while it streams in, storing nothing.

`DigestUploadHandler` replaces Django's upload handlers for the verification form: each chunk of the file goes
into a SHA-256 and is dropped, so no memory copy or temporary file of the upload exists (the default handlers
would keep it in memory or write it to /tmp), and nothing reads what the file says."""

from __future__ import annotations

import hashlib

from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Room for the multipart framing around the file.
_FRAMING_BYTES = 16 * 1024


class DigestUploadHandler(FileUploadHandler):
    chunk_size = 64 * 1024

    def __init__(self, request=None):
        super().__init__(request)
        self.digest = hashlib.sha256()
        self.size = 0
        self.received = False
        self.too_big = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > MAX_UPLOAD_BYTES + _FRAMING_BYTES:
            # Refused before a byte of the body is read.
            self.too_big = True
            return QueryDict(), MultiValueDict()
        return None

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        if field_name == "pdf":
            self.received = True
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if self.field_name != "pdf":
            return None
        self.size += len(raw_data)
        if self.size > MAX_UPLOAD_BYTES:
            self.too_big = True
            raise StopUpload(connection_reset=False)
        self.digest.update(raw_data)
        return None

    def file_complete(self, file_size):
        return None

    @property
    def sha256(self) -> str | None:
        return self.digest.hexdigest() if self.received and not self.too_big else None
