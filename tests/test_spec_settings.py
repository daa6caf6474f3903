"""Settings and declarations around the OpenAPI document and the docs pages."""

from __future__ import annotations

import logging

import marshmallow as ma
import pytest
from flask import Flask

from restkit import Api, Blueprint, DeclarationError, Resource, ResponseSpec, operation
from restkit.spec.operation_ids import singular
from tests.spec_helpers import build

OK = {"ok": ma.fields.Boolean()}


class Ping(Resource):
    @operation(response=OK)
    def get(self) -> dict[str, bool]:
        return {"ok": True}


def _mount(**api_kwargs) -> Flask:
    blueprint = Blueprint("things")
    blueprint.add_resource(Ping, "/ping")
    app = Flask(__name__)
    api = Api(**api_kwargs)
    api.register_blueprint(blueprint)
    api.init_app(app)
    return app


@pytest.mark.parametrize("value", ["3.2", "2.0", 3.1])
def test_openapi_version_setting_unknown_raises_declaration_error(value):
    with pytest.raises(DeclarationError, match=r"restkit writes OpenAPI 3\.1\.0 or 3\.0\.3"):
        Api(openapi_version=value)


@pytest.mark.parametrize(
    ("setting", "value"),
    [("swagger_ui_path", "docs"), ("openapi_json_path", "/"), ("redoc_path", 5)],
)
def test_path_settings_invalid_raise_declaration_error(setting, value):
    with pytest.raises(DeclarationError, match="must be a path such as '/docs'"):
        Api(**{setting: value})


def test_docs_pages_without_json_document_raise_declaration_error_at_init_app():
    with pytest.raises(DeclarationError, match="serves docs pages but no JSON document"):
        _mount(openapi_json_path=None)


def test_docs_pages_and_documents_all_off_serve_nothing():
    app = _mount(
        openapi_json_path=None,
        openapi_yaml_path=None,
        swagger_ui_path=None,
        redoc_path=None,
        scalar_path=None,
    )
    client = app.test_client()

    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404
    assert client.get("/ping").status_code == 200


def test_default_docs_page_without_its_package_is_skipped_and_logged(monkeypatch, caplog):
    import restkit.api

    real = restkit.api.get_installed_assets

    def without_scalar(page: str):
        if page == "scalar":
            raise DeclarationError("Scalar needs the 'flask-openapi-scalar' package")
        return real(page)

    monkeypatch.setattr(restkit.api, "get_installed_assets", without_scalar)
    with caplog.at_level(logging.INFO, logger="restkit"):
        client = _mount().test_client()

    assert client.get("/scalar").status_code == 404
    assert client.get("/docs").status_code == 200
    assert "scalar is not served: its package is not installed." in caplog.text


@pytest.mark.parametrize("problem", ["Conflict", 200, True, 600])
def test_operation_problems_given_other_than_classes_or_error_codes_raise(problem):
    with pytest.raises(DeclarationError, match=r"list restkit\.problems classes"):

        @operation(response=OK, problems=[problem])
        def get(self): ...


def test_response_spec_equality_and_repr():
    schema = ma.Schema.from_dict(OK)()

    assert ResponseSpec(schema, "Fine.") == ResponseSpec(schema, "Fine.")
    assert ResponseSpec(schema, "Fine.") != ResponseSpec(schema, "Other.")
    assert ResponseSpec(schema) != "not a spec"
    assert repr(ResponseSpec(None, "Gone.")) == "ResponseSpec(None, description='Gone.')"


def test_response_spec_with_schema_class_documents_its_component():
    class NoteSchema(ma.Schema):
        text = ma.fields.String()

    class Notes(Resource):
        @operation(responses={200: ResponseSpec(NoteSchema, "The note.")})
        def get(self):
            return {"text": "hi"}

    spec = build({"/notes": Notes})

    response = spec["paths"]["/notes"]["get"]["responses"]["200"]
    assert response["description"] == "The note."
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Note"
    }


@pytest.mark.parametrize(
    ("validators", "schema"),
    [
        ([ma.validate.Range(max=9)], {"type": "integer", "maximum": 9}),
        ([ma.validate.Range(min=1)], {"type": "integer", "minimum": 1}),
        ([ma.validate.Range(max=5), ma.validate.Range(max=9)], {"type": "integer", "maximum": 5}),
    ],
)
def test_range_bounds_document_the_tightest_bound(validators, schema):
    class Pages(Resource):
        @operation(query={"page": ma.fields.Integer(validate=validators)}, response=OK)
        def get(self, query):
            return {"ok": True}

    spec = build({"/pages": Pages})

    assert spec["paths"]["/pages"]["get"]["parameters"][0]["schema"] == schema


@pytest.mark.parametrize(("plural", "expected"), [("Quizzes", "Quiz"), ("Buzzes", "Buzz")])
def test_singular_of_doubled_z_plurals(plural, expected):
    assert singular(plural) == expected
