from __future__ import annotations

import marshmallow as ma
import pytest
from flask import Response
from werkzeug.routing import BaseConverter, Map, Rule

from restkit import ResponseSpec, operation
from restkit._rules import parse_rule
from restkit.errors import DeclarationError
from restkit.rendering import ResponsePlan
from restkit.resource import Resource


class _HexConverter(BaseConverter):
    regex = "[0-9a-f]+"


def _compiled(rule, converters=None):
    bound = Rule(rule, endpoint="_")
    Map([bound], converters=converters)
    return bound._converters


@pytest.mark.parametrize(
    "rule",
    [
        "/",
        "/tasks",
        "/tasks/<int:task_id>",
        "/p/<uuid:b>/<int(min=1, max=9):a>/<c>",
        "//double//<path:rest>",
        "/<any(a, 'b c'):kind>/<float(signed=True):x>",
        "/<string(length=2):code>/<hex:h>",
    ],
)
def test_parse_rule_matches_werkzeugs_compiled_converters(rule):
    converters = {"hex": _HexConverter}
    expected = _compiled(rule, converters)

    parsed = parse_rule(rule, converters)

    assert parsed.arguments == tuple(expected)
    assert [type(c) for c in parsed.converters.values()] == [type(c) for c in expected.values()]
    assert [vars(c) | {"map": None} for c in parsed.converters.values()] == [
        vars(c) | {"map": None} for c in expected.values()
    ]


def test_parse_rule_with_repeated_variable_raises_werkzeugs_error():
    with pytest.raises(SyntaxError) as raised:
        _compiled("/<a>/<a>")
    with pytest.raises(SyntaxError) as parsed:
        parse_rule("/<a>/<a>")

    assert str(parsed.value) == str(raised.value)


def test_parse_rule_lenient_notes_unknown_converters():
    parsed = parse_rule("/<nope:a>/<int:b>", {"int": Map.default_converters["int"]}, lenient=True)

    assert parsed.arguments == ("a", "b")
    assert parsed.unknown == ("nope",)


def test_parse_rule_strict_refuses_unknown_converter():
    with pytest.raises(LookupError, match="the converter 'nope' does not exist"):
        parse_rule("/<nope:a>")


def test_blueprint_rule_parse_error_is_a_declaration_error():
    from restkit.blueprint import rule_arguments

    with pytest.raises(DeclarationError, match="The URL rule '/<a>/<a>' is invalid"):
        rule_arguments("/<a>/<a>")


class _ThingSchema(ma.Schema):
    name = ma.fields.String()


@pytest.mark.parametrize("compile_dumps", [True, False])
def test_response_plan_makes_its_dumper_on_first_response_then_keeps_it(compile_dumps):
    class Things(Resource):
        @operation(responses={200: ResponseSpec(_ThingSchema), 204: None})
        def get(self):
            return None

    plan = ResponsePlan(Things.operations["GET"], Response, compile_dumps=compile_dumps)
    first = plan.dumpers[200]

    assert plan.respond({"name": "a"}, 200, None).get_json() == {"name": "a"}
    made = plan.dumpers[200]
    assert made is not first
    assert plan.respond({"name": "b"}, 200, None).get_json() == {"name": "b"}
    assert plan.dumpers[200] is made
    assert plan.dumpers[204] is None


def _things_app(app):
    from restkit import Api, Blueprint

    blueprint = Blueprint("things")

    class Thing(Resource):
        @operation(response={"id": ma.fields.Integer()})
        def get(self, thing_id: int, kind: str):
            return {"id": thing_id}

    blueprint.add_resource(Thing, "/things/<int:thing_id>/<any(a, b):kind>")
    api = Api(title="Things", version="1", url_prefix="/v1")
    api.register_blueprint(blueprint)
    api.init_app(app)
    return api


def test_api_routes_build_urls_with_builders_compiled_on_first_use():
    from flask import Flask, url_for

    app = Flask("lazy")
    _things_app(app)
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == "api.things.Thing"]
    assert type(rule).__name__ == "LazyRule"
    assert "url_rule_class" not in vars(app)  # the app's own class is back
    with app.test_request_context():
        for _ in range(2):  # the first call compiles, the second uses the compiled builder
            assert url_for("api.things.Thing", thing_id=7, kind="b") == "/v1/things/7/b"
            assert url_for("api.things.Thing", thing_id=7, kind="a", q="x") == "/v1/things/7/a?q=x"
    adapter = app.url_map.bind("localhost")
    assert adapter.build(
        "api.things.Thing", {"thing_id": 3, "kind": "a"}, append_unknown=False
    ) == ("/v1/things/3/a")
    assert adapter.match("/v1/things/3/a") == ("api.things.Thing", {"thing_id": 3, "kind": "a"})
    assert app.test_client().get("/v1/things/3/a").get_json() == {"id": 3}


def test_api_routes_keep_an_apps_own_rule_class():
    from flask import Flask

    class AuditedRule(Rule):
        """An app's own rule class, which restkit's routes must keep."""

    app = Flask("lazy")
    app.url_rule_class = AuditedRule
    _things_app(app)
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == "api.things.Thing"]
    assert isinstance(rule, AuditedRule)
    assert app.url_rule_class is AuditedRule


def test_lazy_builders_leaves_a_werkzeug_without_compile_builder_alone(monkeypatch):
    from restkit._rules import lazy_builders

    class Plain:
        """A rule class without Werkzeug's private builder compiler."""

    assert lazy_builders(Plain) is Plain  # type: ignore[arg-type]
    assert lazy_builders(Rule) is lazy_builders(Rule)
