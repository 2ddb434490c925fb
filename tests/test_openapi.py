"""The API describes itself at /api/v1/openapi.json."""


def test_openapi_document_lists_the_contract_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.get_json()["paths"]
    for path in ("/api/v1/auth/csrf", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me",
                 "/api/v1/residents", "/api/v1/households", "/api/v1/volunteers", "/api/v1/grids"):
        assert path in paths, path


def test_every_write_documents_the_idempotency_key_and_the_replayed_answer(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    writes = [(path, method, operation) for path, operations in paths.items()
              for method, operation in operations.items() if method in ("post", "put", "patch", "delete")]
    assert len(writes) > 20
    for path, method, operation in writes:
        headers = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "header"]
        success = [response for code, response in operation["responses"].items() if code.startswith("2")]
        if path.startswith("/api/v1/auth/"):
            # Signing in and out runs every time: a replay would lack its session cookie.
            assert "Idempotency-Key" not in headers, (method, path)
            continue
        assert headers.count("Idempotency-Key") == 1, (method, path)
        assert success and all("Idempotent-Replayed" in response.get("headers", {}) for response in success), (method, path)
