"""A real OpenID Connect provider for the ProConnect tests: PyPI's oidc-provider-mock (authlib under Flask), served
over HTTP on 127.0.0.1 by werkzeug in a thread, made to answer like ProConnect: the userinfo endpoint returns a JWT
signed RS256 with the provider's key (``application/jwt``) instead of JSON.

Who logs in is chosen on the provider's page (field « sub »); the claims of a subject are set beforehand by the
provider's own HTTP API (``PUT /users/<sub>``).
"""

import contextlib
import json
import threading
import time
from urllib.parse import quote

import httpx
import werkzeug.serving
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey
from oidc_provider_mock import app as provider_app
from oidc_provider_mock._storage import storage

CLIENT_ID = "ptce-ami-tests"
CLIENT_SECRET = "ptce-ami-tests-secret"


def _userinfo_as_jwt(app):
    @app.after_request
    def sign_userinfo(response):
        from flask import request  # noqa: PLC0415 - Flask is a test-only dependency of the provider

        if request.path != "/userinfo" or response.status_code != 200:
            return response
        claims = json.loads(response.get_data())
        issuer = request.host_url.rstrip("/")
        claims.update({"iss": issuer, "aud": CLIENT_ID, "iat": int(time.time()), "exp": int(time.time()) + 60})
        key = storage.jwk.as_dict(is_private=True)
        token = jose_jwt.encode({"alg": "RS256", "kid": key["kid"]}, claims, RSAKey.import_key(key))
        response.set_data(token)
        response.headers["Content-Type"] = "application/jwt"
        return response

    return app


class Provider:
    def __init__(self, server):
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"

    def set_user(self, sub, **claims):
        """The claims ProConnect will give for the subject ``sub`` (an e-mail address, given as ``email`` unless
        ``claims`` say otherwise)."""
        response = httpx.put(f"{self.url}/users/{quote(sub, safe='')}", json={"email": sub, **claims})
        assert response.status_code == 204, response.text


@contextlib.contextmanager
def running_provider():
    app = _userinfo_as_jwt(provider_app(require_nonce=True))
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Provider(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)
