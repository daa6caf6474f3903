"""restkit.jwt.JwtBearer's keys: RSA, RSA-PSS, EC and EdDSA public keys (PEM or objects) with
a private signing key, algorithm confusion, key rotation by `kid` (a dict or a function of
the header, such as a JWKS client's), and the declaration errors of algorithms and keys,
whose messages never repeat the key.

Keys are generated once for the module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import fields

from restkit import Api, Blueprint, DeclarationError, Identity, Resource, operation
from restkit.jwt import JwtBearer
from tests.test_jwt import b64url, get_me

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_OTHER_KEY = ec.generate_private_key(ec.SECP256R1())
ED_KEY = ed25519.Ed25519PrivateKey.generate()
ED_OTHER_KEY = ed25519.Ed25519PrivateKey.generate()
SECRET_1 = "first-secret-for-tests-only-0123456789"
SECRET_2 = "second-secret-for-tests-only-0123456789"
NOW = int(time.time())
DAY = 86400
CLAIMS = {"sub": "42", "exp": NOW + DAY}


def public_pem(key: Any) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


class Me(Resource):
    @operation(response={"id": fields.String()})
    def get(self, identity: Identity[Any]) -> dict[str, Any]:
        return {"id": identity.id}


def serve(bearer: JwtBearer) -> FlaskClient:
    blueprint = Blueprint("test")
    blueprint.add_resource(Me, "/me")
    app = Flask(__name__)
    api = Api(title="Tasks", auth=bearer)
    api.register_blueprint(blueprint)
    api.init_app(app)
    return app.test_client()


NOT_VALID = (
    'Bearer realm="Tasks", error="invalid_token", '
    'error_description="The access token is not valid."'
)

# Asymmetric algorithms: a public key verifies, the private key signs

ASYMMETRIC = [
    pytest.param("RS256", RSA_KEY, id="RS256"),
    pytest.param("PS256", RSA_KEY, id="PS256"),
    pytest.param("ES256", EC_KEY, id="ES256"),
    pytest.param("EdDSA", ED_KEY, id="EdDSA"),
]


@pytest.mark.parametrize(("algorithm", "private"), ASYMMETRIC)
@pytest.mark.parametrize("form", ["object", "pem"])
def test_jwt_asymmetric_token_from_make_token_is_accepted(
    algorithm: str, private: Any, form: str
) -> None:
    key = private.public_key() if form == "object" else public_pem(private)
    signing_key = private if form == "object" else private_pem(private)
    bearer = JwtBearer(key=key, algorithms=[algorithm], signing_key=signing_key)
    token = bearer.make_token("42")
    client = serve(bearer)

    response = get_me(client, token)

    assert response.status_code == 200
    assert jwt.get_unverified_header(token)["alg"] == algorithm
    assert response.json == {"id": "42"}


@pytest.mark.parametrize(("algorithm", "private"), ASYMMETRIC)
def test_jwt_asymmetric_token_signed_elsewhere_with_the_private_key_is_accepted(
    algorithm: str, private: Any
) -> None:
    client = serve(JwtBearer(key=public_pem(private), algorithms=[algorithm]))

    response = get_me(client, jwt.encode(CLAIMS, private, algorithm=algorithm))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("algorithm", "public", "other"),
    [
        pytest.param("ES256", EC_KEY.public_key(), EC_OTHER_KEY, id="ES256"),
        pytest.param("EdDSA", ED_KEY.public_key(), ED_OTHER_KEY, id="EdDSA"),
    ],
)
def test_jwt_asymmetric_token_signed_with_another_key_returns_401(
    algorithm: str, public: Any, other: Any
) -> None:
    client = serve(JwtBearer(key=public, algorithms=[algorithm]))

    response = get_me(client, jwt.encode(CLAIMS, other, algorithm=algorithm))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == NOT_VALID


@pytest.mark.parametrize(("algorithm", "private"), ASYMMETRIC)
def test_jwt_make_token_without_a_signing_key_raises_declaration_error(
    algorithm: str, private: Any
) -> None:
    bearer = JwtBearer(key=private.public_key(), algorithms=[algorithm])

    with pytest.raises(DeclarationError, match="give signing_key="):
        bearer.make_token("42")


@pytest.mark.parametrize(("algorithm", "private"), ASYMMETRIC)
def test_jwt_public_key_as_signing_key_raises_declaration_error(
    algorithm: str, private: Any
) -> None:
    with pytest.raises(DeclarationError, match="signing_key is a public key"):
        JwtBearer(
            key=private.public_key(), algorithms=[algorithm], signing_key=private.public_key()
        )


@pytest.mark.parametrize("form", ["object", "pem"])
@pytest.mark.parametrize("algorithm", ["RS256", "PS256"])
def test_jwt_rsa_private_key_as_key_verifies_with_its_public_half_and_signs(
    algorithm: str, form: str
) -> None:
    key = RSA_KEY if form == "object" else private_pem(RSA_KEY)
    token = jwt.encode(CLAIMS, RSA_KEY, algorithm=algorithm)
    bearer = JwtBearer(key=key, algorithms=[algorithm])

    assert get_me(serve(bearer), token).status_code == 200
    assert get_me(serve(bearer), bearer.make_token("42")).status_code == 200


# Algorithm confusion


def hs256_with(secret: bytes, claims: dict[str, Any], **fields: Any) -> str:
    """An HS256 token made by hand, for what PyJWT refuses to make (a PEM as the secret)."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", **fields}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


@pytest.mark.parametrize("form", ["object", "pem"])
@pytest.mark.parametrize("algorithm", ["RS256", "PS256"])
def test_jwt_hs256_token_signed_with_the_public_key_returns_401(algorithm: str, form: str) -> None:
    pem = public_pem(RSA_KEY)
    key = RSA_KEY.public_key() if form == "object" else pem
    client = serve(JwtBearer(key=key, algorithms=[algorithm]))

    response = get_me(client, hs256_with(pem.encode(), CLAIMS))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == NOT_VALID


# Declaration errors

LONG_ENOUGH = "x" * 64
RSA_PEM = public_pem(RSA_KEY)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"key": LONG_ENOUGH, "algorithms": ["none"]}, "refuses the 'none' algorithm"),
        ({"key": LONG_ENOUGH, "algorithms": ["NONE"]}, "refuses the 'none' algorithm"),
        ({"key": LONG_ENOUGH, "algorithms": ["None"]}, "refuses the 'none' algorithm"),
        ({"key": LONG_ENOUGH, "algorithms": ["HS256", "none"]}, "refuses the 'none' algorithm"),
        ({"key": LONG_ENOUGH, "algorithms": ["HS999"]}, "does not know the algorithm 'HS999'"),
        ({"key": LONG_ENOUGH, "algorithms": ["hs256"]}, "does not know the algorithm 'hs256'"),
        ({"key": RSA_PEM, "algorithms": ["RS256", "HS256"]}, "several families"),
        ({"key": RSA_PEM, "algorithms": ["RS256", "ES256"]}, "several families"),
        ({"key": LONG_ENOUGH, "algorithms": []}, "give a list such as ['HS256']"),
        ({"key": LONG_ENOUGH, "algorithms": "HS256"}, "give a list such as ['HS256']"),
        ({"key": "k" * 31}, "HS256 secret is 31 bytes"),
        ({"key": b"k" * 31}, "HS256 secret is 31 bytes"),
        ({"key": "k" * 47, "algorithms": ["HS384"]}, "HS384 secret is 47 bytes"),
        ({"key": "k" * 63, "algorithms": ["HS512"]}, "HS512 secret is 63 bytes"),
        ({"key": RSA_PEM}, "key does not suit HS256"),
        ({"key": RSA_KEY.public_key()}, "key does not suit HS256"),
        ({"key": LONG_ENOUGH, "algorithms": ["RS256"]}, "key does not suit RS256"),
        ({"key": LONG_ENOUGH, "algorithms": ["ES256"]}, "key does not suit ES256"),
        ({"key": RSA_PEM, "algorithms": ["ES256"]}, "key does not suit ES256"),
        ({"key": RSA_PEM, "algorithms": ["EdDSA"]}, "key does not suit EdDSA"),
        ({"key": {"k1": LONG_ENOUGH, "k2": "k" * 16}}, "HS256 secret is 16 bytes"),
        ({"key": {"k1": LONG_ENOUGH}, "algorithms": ["RS256"]}, "key does not suit RS256"),
        ({"key": {}}, "empty dict of keys"),
        (
            {"key": RSA_PEM, "algorithms": ["RS256"], "signing_key": LONG_ENOUGH},
            "signing_key does not suit RS256",
        ),
        ({"key": LONG_ENOUGH, "identify": "users"}, "identify='users'; give a function"),
        ({"key": LONG_ENOUGH, "leeway": "30"}, "leeway='30'; give a few seconds"),
        ({"key": LONG_ENOUGH, "leeway": True}, "leeway=True; give a few seconds"),
        ({"key": LONG_ENOUGH, "leeway": None}, "leeway=None; give a few seconds"),
        ({"key": LONG_ENOUGH, "scheme_name": "bearer auth"}, "scheme_name='bearer auth'"),
    ],
)
def test_jwt_bad_declaration_raises_declaration_error_without_the_key(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(DeclarationError) as raised:
        JwtBearer(**options)

    error = str(raised.value)
    assert message in error
    keys = options["key"].values() if isinstance(options["key"], dict) else [options["key"]]
    for key in [*keys, options.get("signing_key")]:
        for line in material_of(key).splitlines():
            assert line.startswith("-----") or line not in error
    assert raised.value.__cause__ is None


def material_of(key: Any) -> str:
    """A key's text: a secret, or the lines of a PEM."""
    if isinstance(key, bytes):
        return key.decode()
    if hasattr(key, "public_bytes"):
        return key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
    return key if isinstance(key, str) else ""


@pytest.mark.parametrize("leeway", [float("inf"), float("nan"), -30])
def test_jwt_unbounded_or_negative_leeway_raises_declaration_error(leeway: float) -> None:
    with pytest.raises(DeclarationError, match="leeway"):
        JwtBearer(key=LONG_ENOUGH, leeway=leeway)


# Key rotation: key ids (kid) name the keys


def test_jwt_tokens_of_every_kid_in_the_key_dict_are_accepted() -> None:
    bearer = JwtBearer(key={"k1": SECRET_1, "k2": SECRET_2})
    client = serve(bearer)
    tokens = [
        jwt.encode(CLAIMS, SECRET_1, headers={"kid": "k1"}),
        jwt.encode(CLAIMS, SECRET_2, headers={"kid": "k2"}),
        bearer.make_token("42", kid="k1"),
        bearer.make_token("42", kid="k2"),
    ]

    statuses = [get_me(client, token).status_code for token in tokens]

    assert statuses == [200, 200, 200, 200]
    assert jwt.get_unverified_header(tokens[3])["kid"] == "k2"
    assert jwt.decode(tokens[3], SECRET_2, algorithms=["HS256"])["sub"] == "42"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(jwt.encode(CLAIMS, SECRET_1, headers={"kid": "k3"}), id="unknown-kid"),
        pytest.param(jwt.encode(CLAIMS, SECRET_1), id="no-kid"),
        pytest.param(jwt.encode(CLAIMS, SECRET_2, headers={"kid": "k1"}), id="kid-of-another"),
        pytest.param(hs256_with(SECRET_1.encode(), CLAIMS, kid=1), id="kid-not-a-string"),
    ],
)
def test_jwt_token_without_a_known_kid_returns_401(token: str) -> None:
    client = serve(JwtBearer(key={"k1": SECRET_1, "k2": SECRET_2}))

    response = get_me(client, token)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == NOT_VALID


def test_jwt_make_token_with_a_key_dict_and_no_kid_raises_declaration_error() -> None:
    bearer = JwtBearer(key={"k1": SECRET_1, "k2": SECRET_2})

    with pytest.raises(DeclarationError, match="kid=None; give one of the key ids k1, k2"):
        bearer.make_token("42")


def test_jwt_make_token_with_an_unknown_kid_raises_declaration_error() -> None:
    bearer = JwtBearer(key={"k1": SECRET_1, "k2": SECRET_2})

    with pytest.raises(DeclarationError, match="kid='k3'; give one of the key ids k1, k2"):
        bearer.make_token("42", kid="k3")


def test_jwt_asymmetric_key_dict_with_a_signing_key_writes_its_kid() -> None:
    bearer = JwtBearer(
        key={"old": EC_OTHER_KEY.public_key(), "new": public_pem(EC_KEY)},
        algorithms=["ES256"],
        signing_key=EC_KEY,
    )
    client = serve(bearer)

    new = get_me(client, bearer.make_token("42", kid="new"))
    old = get_me(client, jwt.encode(CLAIMS, EC_OTHER_KEY, "ES256", headers={"kid": "old"}))
    mislabelled = get_me(client, bearer.make_token("42", kid="old"))

    assert (new.status_code, old.status_code, mislabelled.status_code) == (200, 200, 401)


def test_jwt_key_function_of_the_header_finds_the_key() -> None:
    keys = {"k1": SECRET_1, "k2": SECRET_2}
    headers: list[dict[str, Any]] = []

    def find_key(header: Any) -> str | None:
        headers.append(dict(header))
        return keys.get(header.get("kid"))

    client = serve(JwtBearer(key=find_key))

    found = get_me(client, jwt.encode(CLAIMS, SECRET_2, headers={"kid": "k2"}))
    unknown = get_me(client, jwt.encode(CLAIMS, SECRET_2, headers={"kid": "k9"}))
    missing = get_me(client, jwt.encode(CLAIMS, SECRET_2))

    assert (found.status_code, unknown.status_code, missing.status_code) == (200, 401, 401)
    assert unknown.headers["WWW-Authenticate"] == NOT_VALID
    assert headers[0] == {"alg": "HS256", "kid": "k2", "typ": "JWT"}


class OfflineJwksClient(jwt.PyJWKClient):
    """A `PyJWKClient` whose key set is at hand instead of at a URL."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        super().__init__("https://issuer.example/.well-known/jwks.json", cache_jwk_set=False)
        self.jwks = jwks

    def fetch_data(self) -> Any:
        return self.jwks


def jwk(key: Any, kid: str) -> dict[str, Any]:
    found: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(key, as_dict=True)
    return {**found, "kid": kid, "use": "sig", "alg": "RS256"}


def test_jwt_key_function_from_a_jwks_client_verifies_by_kid() -> None:
    client_of_jwks = OfflineJwksClient({"keys": [jwk(RSA_KEY.public_key(), "2024-01")]})
    bearer = JwtBearer(
        key=lambda header: client_of_jwks.get_signing_key(header.get("kid")).key,
        algorithms=["RS256"],
        signing_key=RSA_KEY,
    )
    client = serve(bearer)

    found = get_me(client, bearer.make_token("42", kid="2024-01"))
    unknown = get_me(client, bearer.make_token("42", kid="2023-12"))
    missing = get_me(client, bearer.make_token("42"))

    assert (found.status_code, unknown.status_code, missing.status_code) == (200, 401, 401)
    assert found.json == {"id": "42"}


def test_jwt_key_function_raising_lookup_error_refuses_the_token() -> None:
    keys = {"k1": SECRET_1}
    client = serve(JwtBearer(key=lambda header: keys[header["kid"]]))
    tokens = [
        jwt.encode(CLAIMS, SECRET_1, headers={"kid": "k1"}),
        jwt.encode(CLAIMS, SECRET_1, headers={"kid": "k9"}),
        jwt.encode(CLAIMS, SECRET_1),
    ]

    statuses = [get_me(client, token).status_code for token in tokens]

    assert statuses == [200, 401, 401]


def test_jwt_default_identity_user_is_a_read_only_copy_of_the_claims() -> None:
    bearer = JwtBearer(key=SECRET_1)
    identity = bearer.verify_token(bearer.make_token("42", scopes=["a"]))

    assert isinstance(identity, Identity)
    assert identity.user["sub"] == "42"
    with pytest.raises(TypeError):
        identity.user["sub"] = "43"


class UnreachableJwksClient(jwt.PyJWKClient):
    """A `PyJWKClient` whose JWKS endpoint does not answer."""

    def __init__(self) -> None:
        super().__init__("https://issuer.example/.well-known/jwks.json", cache_jwk_set=False)

    def fetch_data(self) -> Any:
        raise jwt.PyJWKClientConnectionError("Fail to fetch data from the url")


def test_jwt_unreachable_jwks_endpoint_answers_503_with_retry_after(
    caplog: pytest.LogCaptureFixture,
) -> None:
    jwks = UnreachableJwksClient()
    bearer = JwtBearer(
        key=lambda header: jwks.get_signing_key(header.get("kid")).key,
        algorithms=["RS256"],
        signing_key=RSA_KEY,
    )
    client = serve(bearer)

    response = get_me(client, bearer.make_token("42", kid="2024-01"))

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "WWW-Authenticate" not in response.headers
    assert response.get_json()["detail"] == (
        "The identity provider cannot be reached; retry shortly."
    )
    assert "JWKS endpoint cannot be reached" in caplog.text


def test_jwt_key_function_documents_503_and_a_fixed_key_does_not() -> None:
    with_function = JwtBearer(key=lambda header: SECRET_1)
    with_key = JwtBearer(key=SECRET_1)

    documented = []
    for bearer in (with_function, with_key):
        app = Flask(__name__)
        api = Api(app, auth=bearer)
        blueprint = Blueprint("me")
        blueprint.add_resource(Me, "/me")
        api.register_blueprint(blueprint)
        documented.append(api.spec(app)["paths"]["/me"]["get"]["responses"])

    assert documented[0]["503"]["headers"] == {
        "Retry-After": {"$ref": "#/components/headers/Retry-After"}
    }
    assert "503" not in documented[1]


def test_jwt_key_function_with_hmac_signs_make_token_with_the_secret_it_returns() -> None:
    secrets_by_app = {"current": SECRET_1}
    bearer = JwtBearer(key=lambda header: secrets_by_app["current"])
    client = serve(bearer)

    token = bearer.make_token("42")
    accepted = get_me(client, token)
    secrets_by_app["current"] = SECRET_2  # the secret rotated: old tokens stop working
    refused = get_me(client, token)

    assert jwt.decode(token, SECRET_1, algorithms=["HS256"])["sub"] == "42"
    assert (accepted.status_code, refused.status_code) == (200, 401)
    assert get_me(client, bearer.make_token("42")).status_code == 200


def test_jwt_key_function_with_hmac_is_asked_with_the_kid_make_token_writes() -> None:
    headers: list[dict[str, Any]] = []

    def find_key(header: Any) -> str:
        headers.append(dict(header))
        return SECRET_1

    token = JwtBearer(key=find_key).make_token("42", kid="k1")

    assert headers == [{"alg": "HS256", "typ": "JWT", "kid": "k1"}]
    assert jwt.get_unverified_header(token)["kid"] == "k1"


def test_jwt_key_function_with_public_keys_cannot_make_tokens() -> None:
    bearer = JwtBearer(key=lambda header: public_pem(RSA_KEY), algorithms=["RS256"])

    with pytest.raises(DeclarationError, match="needs a key to sign with"):
        bearer.make_token("42")
