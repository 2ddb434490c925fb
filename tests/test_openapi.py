"""The API describes itself at /api/v1/openapi.json."""


def test_openapi_document_lists_the_contract_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.get_json()["paths"]
    for path in ("/api/v1/auth/csrf", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me",
                 "/api/v1/residents", "/api/v1/households", "/api/v1/volunteers", "/api/v1/grids"):
        assert path in paths, path
