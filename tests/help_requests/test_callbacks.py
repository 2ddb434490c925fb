"""The call-back list (回访): a poor rating puts a task on its grid's list; workers see their grids',
admins their community's; a worker marks one done with a note, once."""
from sqlalchemy import select

from backend.extensions import db
from backend.help_requests.models import CallbackTask
from tests.help_requests.helpers import make_request

URL = "/api/v1/callbacks"


def _rated_badly(scene, phone_of, rating: int = 1, comment: str | None = None) -> int:
    request_id = make_request(scene.resident, status="completed", volunteer=scene.volunteer).id
    db.session.commit()
    response = phone_of(scene.resident_user).post(f"/api/v1/help-requests/{request_id}/confirm",
                                                  {"rating": rating, "comment": comment})
    assert response.status_code == 200
    return request_id


def _task(request_id: int) -> CallbackTask:
    return db.session.scalar(select(CallbackTask).where(CallbackTask.help_request_id == request_id)
                             .execution_options(populate_existing=True))


def test_a_poor_rating_is_on_the_grid_workers_list(scene, phone_of):
    request_id = _rated_badly(scene, phone_of, comment="来晚了一个小时")
    body = phone_of(scene.worker).get(URL).get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    [item] = body["items"]
    assert item["help_request_id"] == request_id and item["status"] == "open" and item["rating"] == 1
    assert item["comment"] == "来晚了一个小时"  # what to ask about on the phone
    assert item["resident"] == {"id": scene.resident.id, "address_as": scene.resident.address_as,
                                "building_label": "幸福里3幢"}
    assert item["done_by"] is None and item["note"] is None


def test_another_grids_worker_sees_none_and_an_admin_sees_all(scene, phone_of):
    _rated_badly(scene, phone_of)
    assert phone_of(scene.other_worker).get(URL).get_json()["total"] == 0
    assert phone_of(scene.admin).get(URL).get_json()["total"] == 1


def test_a_good_rating_puts_nothing_on_the_list(scene, phone_of):
    _rated_badly(scene, phone_of, rating=4)
    assert phone_of(scene.worker).get(URL).get_json()["total"] == 0


def test_a_worker_marks_a_call_back_done_with_a_note(scene, phone_of):
    task_id = _task(_rated_badly(scene, phone_of)).id
    response = phone_of(scene.worker).post(f"{URL}/{task_id}/done", {"note": "已回电，志愿者迟到了半小时"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "done" and body["note"] == "已回电，志愿者迟到了半小时"
    assert body["done_by"]["id"] == scene.worker.id and body["done_at"]
    assert phone_of(scene.worker).get(URL, query_string={"status": "open"}).get_json()["total"] == 0
    assert phone_of(scene.worker).get(URL, query_string={"status": "done"}).get_json()["total"] == 1


def test_done_twice_is_refused_and_keeps_the_first_note(scene, phone_of):
    task_id = _task(_rated_badly(scene, phone_of)).id
    phone = phone_of(scene.worker)
    assert phone.post(f"{URL}/{task_id}/done", {"note": "第一次"}).status_code == 200
    response = phone.post(f"{URL}/{task_id}/done", {"note": "第二次"})
    assert response.status_code == 409 and response.get_json()["reason"] == "callback_already_done"
    assert db.session.get(CallbackTask, task_id).note == "第一次"


def test_bad_input_changes_nothing(scene, phone_of):
    task_id = _task(_rated_badly(scene, phone_of)).id
    phone = phone_of(scene.worker)
    for body in ({}, {"note": "   "}, {"note": "x" * 501}, {"note": 5}, {"note": "好", "extra": 1}):
        response = phone.post(f"{URL}/{task_id}/done", body)
        assert response.status_code == 422, (body, response.get_json())
    assert phone.get(URL, query_string={"status": "closed"}).status_code == 422
    task = db.session.get(CallbackTask, task_id)
    db.session.refresh(task)
    assert task.status == "open" and task.note is None


def test_a_call_back_outside_the_callers_grids_is_not_found(scene, phone_of):
    task_id = _task(_rated_badly(scene, phone_of)).id
    response = phone_of(scene.other_worker).post(f"{URL}/{task_id}/done", {"note": "看看"})
    assert response.status_code == 404
    for missing in (task_id + 1000, 2**31, 2**40):
        assert phone_of(scene.worker).post(f"{URL}/{missing}/done", {"note": "看看"}).status_code == 404
    assert _task(db.session.get(CallbackTask, task_id).help_request_id).status == "open"


def test_residents_volunteers_and_proxies_have_no_call_back_list(scene, phone_of):
    for user in (scene.resident_user, scene.volunteer, scene.proxy):
        assert phone_of(user).get(URL).status_code == 403
