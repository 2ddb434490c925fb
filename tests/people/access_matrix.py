"""Who may call the people routes. `proxy` holds every scope for the world's resident;
`proxy_no_scope` only view_status, which shows her status but lets them change nothing."""
from tests.access import Expect

SIGNED_IN = ("resident", "proxy", "proxy_no_scope", "volunteer", "provider", "worker", "other_worker", "admin")


def _contact_id(world) -> dict:
    from backend.extensions import db
    from backend.people.models import EmergencyContact

    contact = EmergencyContact(resident_id=world.resident.id, name="王小明", relation="儿子", phone="13911112222")
    db.session.add(contact)
    db.session.flush()
    return {"contact_id": contact.id}


def _consent_id(world) -> dict:
    from backend.extensions import db
    from backend.people.models import ConsentRecord

    consent = ConsentRecord(resident_id=world.resident.id, purpose="registry", given_by="resident",
                            giver_name="王秀英")
    db.session.add(consent)
    db.session.flush()
    return {"consent_id": consent.id}


def _link_id(world) -> dict:
    from backend.extensions import db
    from backend.people.models import ProxyLink

    return {"link_id": db.session.query(ProxyLink.id).filter_by(
        resident_id=world.resident.id, proxy_user_id=world.users["proxy"].id).scalar()}


def _new_resident(world) -> dict:
    return {"household_id": world.household.id, "family_name": "赵", "given_name": "桂兰", "address_as": "赵阿姨",
            "gender": "female", "birth_year": 1950, "consent": {"given_by": "resident", "giver_name": "赵桂兰"}}


MATRIX = {
    "GET /api/v1/me": Expect(statuses={actor: 200 for actor in SIGNED_IN}),
    "GET /api/v1/residents": Expect(statuses={"worker": 200, "other_worker": 200, "admin": 200}),
    # A household outside one's grids is an unknown household: a field error, not a leak.
    "POST /api/v1/residents": Expect(statuses={"worker": 201, "other_worker": 422, "admin": 201},
                                     body=_new_resident),
    "GET /api/v1/residents/<int:resident_id>": Expect(statuses={
        "resident": 200, "proxy": 200, "proxy_no_scope": 200, "worker": 200, "other_worker": 404, "admin": 200}),
    "PATCH /api/v1/residents/<int:resident_id>": Expect(
        statuses={"resident": 200, "proxy": 200, "worker": 200, "other_worker": 404, "admin": 200},
        body=lambda world: {"preference_notes": "喜欢下午有人来"}),
    "POST /api/v1/residents/<int:resident_id>/status": Expect(
        statuses={"worker": 200, "other_worker": 404, "admin": 200},
        body=lambda world: {"status": "in_hospital"}),
    "POST /api/v1/residents/<int:resident_id>/emergency-contacts": Expect(
        statuses={"proxy": 201, "worker": 201, "other_worker": 404, "admin": 201},
        body=lambda world: {"name": "王小明", "relation": "儿子", "phone": "13911112222"}),
    "PATCH /api/v1/residents/<int:resident_id>/emergency-contacts/<int:contact_id>": Expect(
        statuses={"proxy": 200, "worker": 200, "other_worker": 404, "admin": 200},
        body=lambda world: {"relation": "长子"}, params=_contact_id),
    "DELETE /api/v1/residents/<int:resident_id>/emergency-contacts/<int:contact_id>": Expect(
        statuses={"proxy": 204, "worker": 204, "other_worker": 404, "admin": 204}, params=_contact_id),
    "GET /api/v1/residents/<int:resident_id>/consents": Expect(
        statuses={"resident": 200, "worker": 200, "other_worker": 404, "admin": 200}),
    "POST /api/v1/residents/<int:resident_id>/consents": Expect(
        statuses={"worker": 201, "other_worker": 404, "admin": 201},
        body=lambda world: {"purpose": "registry", "given_by": "resident", "giver_name": "王秀英"}),
    "POST /api/v1/residents/<int:resident_id>/consents/<int:consent_id>/withdraw": Expect(
        statuses={"worker": 200, "other_worker": 404, "admin": 200}, params=_consent_id),
    "GET /api/v1/residents/<int:resident_id>/proxies": Expect(
        statuses={"resident": 200, "worker": 200, "other_worker": 404, "admin": 200}),
    "POST /api/v1/residents/<int:resident_id>/proxies": Expect(
        statuses={"worker": 201, "other_worker": 404, "admin": 201},
        body=lambda world: {"phone": "13655556666", "display_name": "王小红", "password": "a-strong-pass-2026",
                            "relation": "孙女", "scopes": ["view_status"], "consented_by": "resident"}),
    # The resident may withdraw scopes from her own proxies; only staff grant.
    "PUT /api/v1/residents/<int:resident_id>/proxies/<int:link_id>/scopes": Expect(
        statuses={"resident": 200, "worker": 200, "other_worker": 404, "admin": 200},
        body=lambda world: {"scopes": ["view_status"]}, params=_link_id),
    "POST /api/v1/residents/<int:resident_id>/proxies/<int:link_id>/end": Expect(
        statuses={"worker": 200, "other_worker": 404, "admin": 200}, params=_link_id),
}
