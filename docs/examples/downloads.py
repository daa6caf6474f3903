"""A file download with an ETag, and an upload that replaces it only if unchanged.

The example of docs/responses.md (files) and docs/conditional.md (ready responses): the
method sends the PDF itself, tags it with restkit's entity-tag of its bytes, answers 304 to a
client that has it, and refuses to replace a file that changed since the client read it.

Run it with `flask --app downloads run`; the test suite drives it through the Flask test
client.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import FileStorage

from restkit import Api, Blueprint, Resource, ResponseSpec, operation
from restkit.conditional import evaluate_preconditions, make_entity_tag
from restkit.problems import NotFound, PreconditionFailed

REPORTS: dict[int, dict[str, Any]] = {
    1: {"name": "march.pdf", "content": b"%PDF-1.7\n% the March report\n"},
}


def find_report(report_id: int) -> dict[str, Any]:
    """Return the report with this id, or answer 404."""
    report = REPORTS.get(report_id)
    if report is None:
        raise NotFound(f"There is no report {report_id}.")
    return report


def check_pdf(upload: Any) -> None:
    """Accept PDF files only."""
    if not isinstance(upload, FileStorage) or upload.mimetype != "application/pdf":
        raise ValidationError("Send a PDF file.")


class PdfUpload(Schema):
    """The file part of the upload."""

    file = fields.Raw(required=True, validate=check_pdf)


reports = Blueprint("reports", description="Monthly reports, as PDF files.")


# --8<-- [start:download]
@reports.route("/reports/<int:report_id>/pdf")
class ReportPdf(Resource):
    """One report's PDF file."""

    @operation(
        responses={
            200: ResponseSpec(
                description="The PDF file.",
                content_type="application/pdf",
                headers={"Content-Disposition": "`attachment`, with the file's name."},
            ),
            304: None,  # If-None-Match matched: the client's copy is current
        }
    )
    def get(self, report_id: int) -> Response:
        """Download a report."""
        report = find_report(report_id)
        response = Response(report["content"], mimetype="application/pdf")
        response.headers.set("Content-Disposition", "attachment", filename=report["name"])
        response.set_etag(make_entity_tag(report["content"]).opaque)  # strong: these bytes
        return response.make_conditional(request)  # 304 when If-None-Match matches

    @operation(files=PdfUpload, status=204, problems=[PreconditionFailed])
    def put(self, report_id: int, files: dict[str, FileStorage]) -> None:
        """Replace a report's file, if it is still the one the client downloaded."""
        report = find_report(report_id)
        current = make_entity_tag(report["content"])
        # 412 when If-Match names other bytes; 400 when it is not a list of entity-tags.
        if evaluate_preconditions("PUT", request.headers, current, None) == 412:
            raise PreconditionFailed("The file changed since you downloaded it.")
        report["content"] = files["file"].read()


# --8<-- [end:download]


api = Api(name="v1", url_prefix="/v1", title="Reports")
api.register_blueprint(reports)


def create_app() -> Flask:
    """Make the app."""
    app = Flask(__name__)
    api.init_app(app)
    return app
