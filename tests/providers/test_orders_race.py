"""A provider with capacity 1 and two offers accepted at the same moment takes exactly one
(real concurrency: meaningful on PostgreSQL, where the provider's row lock orders the accepts)."""
import pytest
from sqlalchemy import select

from backend import create_app
from backend.extensions import db
from backend.help_requests.models import HelpRequest
from backend.providers.models import ProviderOffer
from backend.providers.routing import stage_route
from tests.client import ApiClient
from tests.databases import own_database
from tests.factories import (
    make_admin, make_building, make_community, make_grid, make_household, make_resident, make_user,
)
from tests.help_requests.helpers import make_request
from tests.providers.builders import link_staff, make_provider
from tests.races import at_once

ROUNDS = 3


@pytest.fixture
def race_app(tmp_path):
    with own_database(tmp_path, "provider_race") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_two_offers_accepted_at_once_by_a_provider_with_capacity_one_take_exactly_one(race_app):
    with race_app.app_context():
        community = make_community()
        grid = make_grid(community)
        stage_route(make_admin(community), "meal_delivery", "providers")
        building = make_building(grid)
        rounds = []
        for _ in range(ROUNDS):
            canteen = make_provider(community, delivers=True, daily_capacity=1,
                                    hours=tuple((day, 0, 1440) for day in range(7)))
            staff = [make_user(community, "provider") for _ in range(2)]
            for user in staff:
                link_staff(canteen, user)
            offers = []
            for _ in range(2):
                request = make_request(make_resident(make_household(building)), status="offered",
                                       category="meal_delivery")
                offer = ProviderOffer(help_request_id=request.id, provider_id=canteen.id, status="offered")
                db.session.add(offer)
                db.session.flush()
                offers.append(offer.id)
            rounds.append((canteen.id, [user.phone for user in staff], offers))
        db.session.commit()

    for canteen_id, phones, offer_ids in rounds:
        def prepare(index, phones=phones):
            phone = ApiClient(race_app.test_client()).login(phones[index])
            phone.csrf()
            return phone

        def accept(index, phone, offer_ids=offer_ids):
            response = phone.post(f"/api/v1/offers/{offer_ids[index]}/accept")
            return response.status_code, response.get_json().get("reason")

        results = at_once(range(2), accept, prepare=prepare, ready_timeout=20)
        assert sorted(results, key=str) == sorted([(200, None), (409, "provider_at_capacity")], key=str), results
        with race_app.app_context():
            taken = db.session.scalars(select(HelpRequest.status).where(HelpRequest.provider_id == canteen_id)).all()
            assert taken == ["accepted"]
