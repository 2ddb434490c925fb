"""Grids and the workers who serve them: who sees which grid, and how an admin staffs them."""
import pytest

from backend.community.models import Grid, GridWorker
from tests.community.helpers import count, fresh
from tests.factories import make_admin, make_community, make_grid, make_user, make_worker


def test_worker_lists_only_their_grids_with_the_workers_names_and_phones(client):
    community = make_community()
    mine, other = make_grid(community, "第一网格"), make_grid(community, "第二网格")
    worker = make_worker(mine, phone="13800000010")
    make_worker(other)
    client.login(worker)
    body = client.get("/api/v1/grids").get_json()
    assert body["total"] == 1
    assert body["items"][0]["name"] == "第一网格"
    assert body["items"][0]["workers"] == [
        {"user_id": worker.id, "name": "网格员", "phone": "13800000010", "is_primary": True}]


def test_admin_lists_every_grid_of_their_community_only(client):
    community = make_community()
    make_grid(community, "第一网格")
    make_grid(community, "第二网格")
    make_grid(make_community("别的社区"), "别人的网格")
    client.login(make_admin(community))
    names = [grid["name"] for grid in client.get("/api/v1/grids").get_json()["items"]]
    assert names == ["第一网格", "第二网格"]


def test_worker_of_another_grid_cannot_see_the_grid(client):
    community = make_community()
    grid, other = make_grid(community), make_grid(community)
    make_worker(grid)
    client.login(make_worker(other))
    response = client.get(f"/api/v1/grids/{grid.id}")
    assert response.status_code == 404 and response.get_json()["reason"] == "not_found"


def test_admin_of_another_community_cannot_see_the_grid(client):
    grid = make_grid(make_community())
    client.login(make_admin(make_community("别的社区")))
    assert client.get(f"/api/v1/grids/{grid.id}").status_code == 404


def test_admin_adds_and_renames_a_grid(client):
    community = make_community()
    client.login(make_admin(community))
    created = client.post("/api/v1/grids", {"name": " 第五网格 "})
    assert created.status_code == 201 and created.get_json()["workers"] == []
    grid_id = created.get_json()["id"]
    assert client.patch(f"/api/v1/grids/{grid_id}", {"name": "第五网格（西）"}).status_code == 200
    assert fresh(Grid, grid_id).name == "第五网格（西）"


def test_two_grids_of_one_community_cannot_share_a_name(client):
    community = make_community()
    make_grid(community, "第一网格")
    second = make_grid(community, "第二网格")
    client.login(make_admin(community))
    assert client.post("/api/v1/grids", {"name": "第一网格"}).get_json()["reason"] == "grid_name_taken"
    renamed = client.patch(f"/api/v1/grids/{second.id}", {"name": "第一网格"})
    assert renamed.status_code == 409 and fresh(Grid, second.id).name == "第二网格"
    assert count(Grid, Grid.community_id == community.id) == 2


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "网" * 61}, {"name": "第三网格", "area": 3}])
def test_bad_new_grids_are_refused_and_nothing_is_added(client, body):
    community = make_community()
    client.login(make_admin(community))
    response = client.post("/api/v1/grids", body)
    assert response.status_code == 422 and response.get_json()["errors"]
    assert count(Grid) == 0


def test_admin_sets_the_grids_workers_and_the_primary_changes(client):
    community = make_community()
    grid = make_grid(community)
    first = make_worker(grid)
    second = make_user(community, "worker", name="张网格员")
    client.login(make_admin(community))
    response = client.put(f"/api/v1/grids/{grid.id}/workers", {"workers": [
        {"user_id": first.id}, {"user_id": second.id, "is_primary": True}]})
    assert response.status_code == 200, response.get_json()
    assert [(row["user_id"], row["is_primary"]) for row in response.get_json()["workers"]] == [
        (first.id, False), (second.id, True)]
    client.put(f"/api/v1/grids/{grid.id}/workers", {"workers": [{"user_id": second.id, "is_primary": True}]})
    assert count(GridWorker, GridWorker.grid_id == grid.id) == 1


def test_a_worker_removed_from_a_grid_no_longer_sees_it(client, make_client):
    community = make_community()
    grid = make_grid(community)
    leaving = make_worker(grid)
    staying = make_user(community, "worker")
    client.login(make_admin(community))
    client.put(f"/api/v1/grids/{grid.id}/workers", {"workers": [{"user_id": staying.id, "is_primary": True}]})
    phone = make_client().login(leaving)
    assert phone.get(f"/api/v1/grids/{grid.id}").status_code == 404


def test_a_grid_can_be_left_without_workers(client):
    community = make_community()
    grid = make_grid(community)
    make_worker(grid)
    client.login(make_admin(community))
    assert client.put(f"/api/v1/grids/{grid.id}/workers", {"workers": []}).get_json()["workers"] == []


@pytest.mark.parametrize("case", ["volunteer", "other_community", "unknown", "two_primaries", "no_primary",
                                  "repeated", "not_a_list", "text_id"])
def test_bad_worker_lists_are_refused_and_the_grid_keeps_its_workers(client, case):
    community = make_community()
    grid = make_grid(community)
    current = make_worker(grid)
    colleague = make_user(community, "worker")
    stranger = make_user(make_community("别的社区"), "worker")
    volunteer = make_user(community, "volunteer")
    workers = {
        "volunteer": [{"user_id": volunteer.id, "is_primary": True}],
        "other_community": [{"user_id": colleague.id, "is_primary": True}, {"user_id": stranger.id}],
        "unknown": [{"user_id": 999999, "is_primary": True}],
        "two_primaries": [{"user_id": current.id, "is_primary": True}, {"user_id": colleague.id, "is_primary": True}],
        "no_primary": [{"user_id": colleague.id}],
        "repeated": [{"user_id": colleague.id, "is_primary": True}, {"user_id": colleague.id}],
        "not_a_list": {"user_id": colleague.id},
        "text_id": [{"user_id": str(colleague.id), "is_primary": True}],
    }[case]
    client.login(make_admin(community))
    response = client.put(f"/api/v1/grids/{grid.id}/workers", {"workers": workers})
    assert response.status_code == 422 and "workers" in response.get_json()["errors"]
    rows = fresh(Grid, grid.id).worker_rows
    assert [(row.user_id, row.is_primary) for row in rows] == [(current.id, True)]


def test_the_refused_worker_is_named_by_position(client):
    community = make_community()
    grid = make_grid(community)
    colleague = make_user(community, "worker")
    volunteer = make_user(community, "volunteer")
    client.login(make_admin(community))
    response = client.put(f"/api/v1/grids/{grid.id}/workers", {"workers": [
        {"user_id": colleague.id, "is_primary": True}, {"user_id": volunteer.id}]})
    assert response.get_json()["errors"] == {"workers": {"1": {"user_id": ["不是本社区的网格员。"]}}}


def test_worker_cannot_staff_a_grid(client):
    community = make_community()
    grid = make_grid(community)
    worker = make_worker(grid)
    client.login(worker)
    colleague = make_user(community, "worker")
    response = client.put(f"/api/v1/grids/{grid.id}/workers", {"workers": [{"user_id": colleague.id, "is_primary": True}]})
    assert response.status_code == 403
    assert count(GridWorker, GridWorker.grid_id == grid.id) == 1
