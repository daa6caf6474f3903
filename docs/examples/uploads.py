"""The inputs guide's upload example: multipart form fields and files in one request.

`POST /v1/attachments` takes a `multipart/form-data` body with a `file` part and an optional
`description` field; `GET /v1/attachments/<id>/content` sends the stored bytes back.
"""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask, Response, url_for
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from restkit import Api, Blueprint, Resource, ResponseSpec, operation
from restkit.problems import NotFound

# Uploads are kept in memory, keyed by id: enough for an example.
ATTACHMENTS: dict[int, dict[str, Any]] = {}
NEXT_ID = itertools.count(1)

ALLOWED_TYPES = ("image/png", "image/jpeg", "application/pdf")


def check_upload(upload: Any) -> None:
    """Accept only files of the types the app can show."""
    if not isinstance(upload, FileStorage) or upload.mimetype not in ALLOWED_TYPES:
        raise ValidationError("Send a PNG, JPEG or PDF file.")


class AttachmentForm(Schema):
    """The text fields of the upload form."""

    description = fields.String(load_default="", validate=validate.Length(max=500))


class AttachmentFiles(Schema):
    """The file parts of the upload form."""

    file = fields.Raw(required=True, validate=check_upload)


class AttachmentSchema(Schema):
    """An uploaded file's description, as clients read it."""

    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    description = fields.String()


attachments = Blueprint("attachments", description="Files attached by the app.")


@attachments.route("/attachments")
class Attachments(Resource):
    """Uploaded files."""

    @operation(
        form=AttachmentForm,
        files=AttachmentFiles,
        response=AttachmentSchema,
        status=201,
        max_body_size=5 * 1024 * 1024,
    )
    def post(
        self, form: dict[str, Any], files: dict[str, FileStorage]
    ) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Upload a file."""
        upload = files["file"]
        content = upload.read()
        attachment_id = next(NEXT_ID)
        ATTACHMENTS[attachment_id] = {
            "id": attachment_id,
            "filename": upload.filename or "upload",
            "content_type": upload.mimetype,
            "size": len(content),
            "description": form["description"],
            "content": content,
        }
        location = url_for(".AttachmentContent", attachment_id=attachment_id)
        return ATTACHMENTS[attachment_id], 201, {"Location": location}


@attachments.route("/attachments/<int:attachment_id>/content")
class AttachmentContent(Resource):
    """The bytes of one uploaded file."""

    @operation(responses={200: ResponseSpec(description="The file, as it was uploaded.")})
    def get(self, attachment_id: int) -> Response:
        """Download a file."""
        attachment = ATTACHMENTS.get(attachment_id)
        if attachment is None:
            raise NotFound(f"There is no attachment {attachment_id}.")
        return Response(attachment["content"], mimetype=attachment["content_type"])


api = Api(url_prefix="/v1")
api.register_blueprint(attachments)


def create_app() -> Flask:
    """Return a Flask app serving the upload API under /v1."""
    app = Flask(__name__)
    api.init_app(app)
    return app
