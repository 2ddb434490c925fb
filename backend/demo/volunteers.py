"""The demo's volunteers: the two fixed ones beside 王奶奶 and a varied crowd around them."""
from datetime import date, timedelta

from backend.demo import data
from backend.demo.base import DemoBuilderBase, distance_m, offset
from backend.volunteers.models import AvailabilityException, AvailabilitySlot, Vetting, Volunteer


class VolunteersPart(DemoBuilderBase):
    """Volunteer profiles; their users, grids and vetting workers get ids in the builder's last step."""

    def _add_volunteers(self) -> None:
        all_skills = [code for code, _, _ in data.SKILLS]
        everyone = list(range(7))
        vetted_until = date(*data.DEMO_VOLUNTEER_VETTED_UNTIL)
        for spec in data.DEMO_VOLUNTEERS:
            lat, lng = offset(*self.demo_position, spec["distance_m"], spec["bearing"])
            user = self._user(spec["name"], "volunteer", phone=spec["phone"])
            volunteer = Volunteer(gender=spec["gender"], status="active", home_lat=lat, home_lng=lng,
                                  travel_radius_km=5, load_cap=3, on_duty=True,
                                  about="住在葵巷附近，随时可以帮忙")
            volunteer.skills = [self._term("skill", code) for code in all_skills]
            volunteer.languages = [self._term("language", "mandarin"), self._term("language", "hangzhou_dialect")]
            volunteer.availability = [AvailabilitySlot(weekday=day, start_minute=0, end_minute=1440)
                                      for day in everyone]
            volunteer.vettings = [Vetting(kind=kind, expires_on=vetted_until, verified_at=self._days_ago(20, 60),
                                          note="演示：证件已核验")
                                  for kind in ("identity", "child_safeguarding")]
            self.volunteers.append((user, volunteer, self.grids[0], self.workers[0]))
        generated = data.VOLUNTEER_COUNT - len(data.DEMO_VOLUNTEERS)
        standings = (["pending"] * data.PENDING_VOLUNTEERS + ["suspended"] * data.SUSPENDED_VOLUNTEERS
                     + ["expired"] * data.EXPIRED_VOLUNTEERS)
        standings += ["vetted"] * (generated - len(standings))
        self.rng.shuffle(standings)
        for standing in standings:
            self._add_volunteer(standing)

    def _volunteer_home(self) -> tuple[float, float]:
        """Anywhere in the neighbourhood, but never nearer 王奶奶 than the two demo volunteers."""
        centre_lat, centre_lng = data.COMMUNITY["centre"]
        while True:
            lat = round(centre_lat + self.rng.uniform(-0.012, 0.012), 6)
            lng = round(centre_lng + self.rng.uniform(-0.013, 0.013), 6)
            if distance_m(lat, lng, *self.demo_position) >= data.NEAREST_OTHER_VOLUNTEER_M:
                return lat, lng

    def _add_volunteer(self, standing: str) -> None:
        rng = self.rng
        gender = "female" if rng.random() < 0.6 else "male"
        user = self._user("".join(self._name(gender, "elder" if rng.random() < 0.3 else "adult")), "volunteer")
        lat, lng = self._volunteer_home()
        grid = min(self.grid_centres, key=lambda g: distance_m(lat, lng, g[1], g[2]))[0]
        vetted = standing in ("vetted", "expired", "suspended")
        volunteer = Volunteer(
            gender=gender, status={"pending": "pending", "suspended": "suspended"}.get(standing, "active"),
            home_lat=lat, home_lng=lng, travel_radius_km=rng.choice([1, 1.5, 2, 2, 3, 3, 5]),
            load_cap=rng.choice([1, 2, 2, 3]),
            on_duty=rng.random() < {"vetted": 0.8, "expired": 0.5}.get(standing, 0.0),
            about=rng.choice(data.VOLUNTEER_ABOUT) if rng.random() < 0.6 else None)
        codes = [code for code, _, _ in data.SKILLS]
        weights = [data.SKILL_WEIGHTS[code] for code in codes]
        chosen: set[str] = set()
        for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
            chosen.add(rng.choices(codes, weights)[0])
        volunteer.skills = [self._term("skill", code) for code in codes if code in chosen]
        languages = ["mandarin"] + (["hangzhou_dialect"] if rng.random() < 0.5 else [])
        if rng.random() < 0.1:
            languages.append(rng.choice(["wenzhou_dialect", "cantonese", "sichuanese"]))
        volunteer.languages = [self._term("language", code) for code in languages]
        volunteer.availability = [
            AvailabilitySlot(weekday=day, start_minute=_minutes(start), end_minute=_minutes(end))
            for days, start, end in rng.choice(data.AVAILABILITY_PATTERNS) for day in days]
        if rng.random() < 0.15:
            volunteer.exceptions = [AvailabilityException(
                on_date=self.today + timedelta(days=rng.randint(1, 21)), available=False,
                note=rng.choice(["外出探亲", "身体不适", "带孙子", "单位加班"]))]
        if vetted:
            volunteer.vettings = self._vettings(expired=standing == "expired")
        self.volunteers.append((user, volunteer, grid, self.primary_worker[grid]))

    def _vettings(self, expired: bool) -> list[Vetting]:
        if expired:
            identity = Vetting(kind="identity", verified_at=self._days_ago(400, 1100),
                               expires_on=self.today - timedelta(days=self.rng.randint(5, 300)))
        else:
            identity = Vetting(kind="identity", verified_at=self._days_ago(20, 600),
                               expires_on=self.today + timedelta(days=self.rng.randint(200, 1000)))
        vettings = [identity]
        if self.rng.random() < 0.35:
            vettings.append(Vetting(kind="child_safeguarding", verified_at=identity.verified_at,
                                    expires_on=identity.expires_on))
        return vettings


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)
