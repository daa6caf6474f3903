"""Idempotency-Key on multipart and form requests: the parsed form is the fingerprint."""

from __future__ import annotations

import io

import marshmallow as ma

from restkit import Resource, operation


class NameForm(ma.Schema):
    name = ma.fields.String(required=True)


class UploadFiles(ma.Schema):
    upload = ma.fields.Raw(required=True)


def uploads(calls: list[bytes]) -> type[Resource]:
    class Uploads(Resource):
        @operation(
            form=NameForm, files=UploadFiles, response=NameForm, status=201, idempotency=True
        )
        def post(self, form, files):
            calls.append(files["upload"].read())
            return form, 201, {"Location": "/up/1"}

    return Uploads


def send(client, content: bytes, name: str = "a"):
    return client.post(
        "/up",
        data={"name": name, "upload": (io.BytesIO(content), "f.txt")},
        headers={"Idempotency-Key": "k1"},
    )


def test_idempotency_multipart_retry_with_same_file_replays(make_client):
    calls: list[bytes] = []
    client = make_client({"/up": uploads(calls)})

    first = send(client, b"one")
    second = send(client, b"one")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json() == first.get_json() == {"name": "a"}
    assert calls == [b"one"]


def test_idempotency_multipart_same_key_with_other_file_returns_422(make_client):
    calls: list[bytes] = []
    client = make_client({"/up": uploads(calls)})

    send(client, b"one")
    response = send(client, b"two")

    assert response.status_code == 422
    assert response.get_json()["errors"][0]["name"] == "Idempotency-Key"
    assert calls == [b"one"]


def test_idempotency_multipart_same_key_with_other_field_returns_422(make_client):
    calls: list[bytes] = []
    client = make_client({"/up": uploads(calls)})

    send(client, b"one", name="a")
    response = send(client, b"one", name="b")

    assert response.status_code == 422
    assert calls == [b"one"]


def test_idempotency_body_the_operation_ignores_is_not_fingerprinted(make_client):
    calls: list[bytes] = []

    class Pings(Resource):
        @operation(response=NameForm, status=201, idempotency=True)
        def post(self):
            calls.append(b"ping")
            return {"name": "pong"}, 201, {"Location": "/pings/1"}

    client = make_client({"/pings": Pings})

    first = client.post("/pings", data=b"x" * 10, headers={"Idempotency-Key": "k"})
    second = client.post("/pings", data=b"y" * 10_000, headers={"Idempotency-Key": "k"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert calls == [b"ping"]
