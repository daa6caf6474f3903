"""Attachments: files uploaded to a task (multipart, at most 5 MiB), and their download.

The bytes are kept in the database beside the row, so every instance of the service can
send them; the list and the upload's answer describe a file without its bytes.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from flask import Response, send_file, url_for
from sqlalchemy import Select
from werkzeug.datastructures import FileStorage

from example_service.boards import caller_id
from example_service.models import Attachment, Project, Task
from example_service.schemas import AttachmentFilesSchema, AttachmentFormSchema, AttachmentSchema
from restkit import Blueprint, ResponseSpec, operation
from restkit.problems import ContentTooLarge
from restkit.sqla import ModelCollection, ModelItem, ModelResource

MAX_FILE_SIZE = 5 * 1024 * 1024
# The multipart envelope (boundaries, part headers, the description) comes on top of the
# file; the file's own size is checked exactly below.
MAX_UPLOAD_BODY = MAX_FILE_SIZE + 64 * 1024

attachments = Blueprint("attachments", url_prefix="/v1", description="Files attached to tasks.")


class OwnAttachments(ModelResource):
    """What the attachment resources share: the files of the caller's tasks."""

    model = Attachment
    schema = AttachmentSchema
    noun = ("attachment", "attachments")

    def get_query(self, **path: Any) -> Select[Any]:
        """Keep the files of the caller's tasks: another user's file is a 404."""
        mine = Attachment.task.has(Task.project.has(Project.owner_id == caller_id()))
        return super().get_query(**path).where(mine)


@attachments.route("/tasks/<int:task_id>/attachments")
class TaskAttachments(OwnAttachments, ModelCollection):
    """The files attached to one of the caller's tasks, oldest first."""

    methods = ("get",)
    operation_ids = {"get": "listAttachments"}  # noqa: RUF012
    default_sort = "created_at"
    idempotency = True

    @operation(
        form=AttachmentFormSchema,
        files=AttachmentFilesSchema,
        response=AttachmentSchema,
        status=201,
        max_body_size=MAX_UPLOAD_BODY,
        problems=[ContentTooLarge],
        operation_id="createAttachment",
    )
    def post(
        self, task_id: int, form: dict[str, Any], files: dict[str, FileStorage]
    ) -> tuple[Attachment, int, dict[str, str]]:
        """Attach a file to a task.

        Send `multipart/form-data` with the file in `file` (any type, at most 5 MiB) and
        an optional `description`.
        """
        upload = files["file"]
        content = upload.stream.read(MAX_FILE_SIZE + 1)
        if len(content) > MAX_FILE_SIZE:
            raise ContentTooLarge("The file is larger than 5 MiB.")
        attachment: Attachment = self.create_object(
            {
                "filename": _safe_filename(upload.filename),
                "content_type": upload.mimetype or "application/octet-stream",
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
                "description": form["description"],
                "content": content,
            },
            task_id=task_id,
        )
        return attachment, 201, {"Location": self.get_location(attachment)}

    def get_location(self, obj: Any, **path: Any) -> str:
        """Point at the file's bytes."""
        return url_for(".AttachmentContent", attachment_id=obj.id)


@attachments.route("/attachments/<int:attachment_id>")
class AttachmentItem(OwnAttachments, ModelItem):
    """One attached file."""

    methods = ("delete",)


DOWNLOAD = ResponseSpec(
    description="The file's bytes, with the type it was uploaded with.",
    # Any type; SDK generators that know only some read the first as bytes.
    content_type=("application/octet-stream", "*/*"),
    headers={
        "Content-Disposition": "`attachment`, with the file's name.",
        "ETag": "The SHA-256 of the bytes: send it in If-None-Match to get a 304.",
    },
)


@attachments.route("/attachments/<int:attachment_id>/content")
class AttachmentContent(OwnAttachments, ModelItem):
    """The bytes of one attached file."""

    methods = ()

    @operation(
        responses={200: DOWNLOAD, 304: ResponseSpec(description="The copy you hold is current.")},
        operation_id="getAttachmentContent",
    )
    def get(self, attachment_id: int, current: Attachment) -> Response:
        """Download a file."""
        response = send_file(
            io.BytesIO(current.content),
            mimetype=current.content_type,
            as_attachment=True,
            download_name=current.filename,
            etag=current.sha256,
            last_modified=None,
            max_age=0,
        )
        response.headers["Cache-Control"] = "private, no-cache"
        return response


def _safe_filename(name: str | None) -> str:
    """Return the upload's base name without control characters, at most 255 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(char for char in base if char.isprintable()).strip()
    return cleaned[:255] or "upload"
