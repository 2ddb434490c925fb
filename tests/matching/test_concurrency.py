"""The race of issue 5, on real commits in a database of its own: 32 volunteers, each with their
own offer for the same request, accept at the same moment, 20 rounds. Each round exactly one wins,
the 31 others get 409 task_already_taken, nothing answers 5xx and nothing says "database is locked"."""
import pytest
from sqlalchemy import func, select

from backend import create_app
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.matching.models import Offer
from backend.people.models import Resident
from tests.client import ApiClient
from tests.databases import own_database
from tests.factories import make_building, make_community, make_grid, make_household, make_resident, make_user
from tests.help_requests.helpers import make_request
from tests.matching.helpers import volunteers_in_a_row
from tests.races import at_once

VOLUNTEERS = 32
ROUNDS = 20


@pytest.fixture
def race_app(tmp_path):
    with own_database(tmp_path, "offers") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _round(app, phones, offer_ids) -> list:
    def accept(index, _):
        response = phones[index].post(f"/api/v1/offers/{offer_ids[index]}/accept")
        return response.status_code, response.get_json()

    return at_once(range(len(phones)), accept, ready_timeout=30, finish_timeout=120)


def test_32_volunteers_accepting_at_once_leave_one_winner_each_round(race_app):
    with race_app.app_context():
        community = make_community()
        grid = make_grid(community)
        resident = make_resident(make_household(make_building(grid)), user=make_user(community, "resident"))
        people = volunteers_in_a_row(community, grid, VOLUNTEERS)
        volunteer_ids = [user.volunteer_id for user in people]
        db.session.commit()
        phone_numbers = [user.phone for user in people]
        resident_id = resident.id
    phones = [ApiClient(race_app.test_client()).login(number) for number in phone_numbers]
    for _round_number in range(ROUNDS):
        with race_app.app_context():
            request = make_request(db.session.get(Resident, resident_id), status="offered")
            offers = [Offer(help_request_id=request.id, volunteer_id=volunteer_id, wave=1, reasons=[])
                      for volunteer_id in volunteer_ids]
            db.session.add_all(offers)
            db.session.commit()
            request_id, offer_ids = request.id, [offer.id for offer in offers]
        answers = _round(race_app, phones, offer_ids)
        assert not [answer for answer in answers if not isinstance(answer, tuple)], answers
        statuses = sorted(status for status, _body in answers)
        assert statuses == [200] + [409] * (VOLUNTEERS - 1), answers
        assert {body["reason"] for status, body in answers if status == 409} == {"task_already_taken"}
        assert not any("locked" in str(body) for _status, body in answers)
        winner = next(index for index, (status, _body) in enumerate(answers) if status == 200)
        with race_app.app_context():
            row = db.session.get(HelpRequest, request_id)
            assert (row.status, row.volunteer_id) == ("accepted", volunteer_ids[winner])
            counts = dict(db.session.execute(select(Offer.status, func.count()).where(
                Offer.help_request_id == request_id).group_by(Offer.status)).all())
            assert counts == {"accepted": 1, "withdrawn": VOLUNTEERS - 1}
