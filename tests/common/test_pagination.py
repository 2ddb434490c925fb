"""Every list takes `page` and `per_page` within bounds: a page past MAX_PAGE is refused with 422
on every list, never a 500 (PostgreSQL cannot hold its OFFSET)."""
from backend.common.pagination import MAX_PAGE, MAX_PER_PAGE
from tests.factories import make_admin, make_community, make_grid, make_user, make_volunteer, make_worker


def _lists(spec):
    """(path, its page parameter's schema) of every GET that takes `page`."""
    for route, operations in spec["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", ()):
            if parameter.get("in") == "query" and parameter["name"] == "page":
                yield route, parameter["schema"]


def test_every_list_bounds_its_page_and_page_size(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    lists = list(_lists(spec))
    assert len(lists) >= 20
    for route, schema in lists:
        assert (schema.get("minimum"), schema.get("maximum")) == (1, MAX_PAGE), route
        per_page = next(parameter["schema"] for parameter in spec["paths"][route]["get"]["parameters"]
                        if parameter["name"] == "per_page")
        assert per_page.get("maximum") == MAX_PER_PAGE, route


def test_a_page_no_list_can_reach_is_refused_on_every_list_not_a_server_error(client, make_client):
    community = make_community()
    grid = make_grid(community)
    people = [make_admin(community), make_worker(grid), make_volunteer(community),
              make_user(community, "resident"), make_user(community, "provider")]
    phones = [make_client().login(person) for person in people]  # the first whose role may read the list
    spec = client.get("/api/v1/openapi.json").get_json()
    asked = 0
    for route, _schema in _lists(spec):
        if "{" in route:  # a list under one object: the same PageQuery, checked by the spec test above
            continue
        for page in (MAX_PAGE + 1, 10**20):
            answers = [phone.get(route, query_string={"page": page}) for phone in phones]
            assert all(answer.status_code in (403, 422) for answer in answers), (route, page)
            refused = [answer for answer in answers if answer.status_code == 422]
            assert refused, f"nobody may read {route}"
            assert "page" in refused[0].get_json()["errors"], route
            asked += 1
    assert asked >= 20
