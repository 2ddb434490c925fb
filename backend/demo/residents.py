"""The demo's households and residents: who lives where, their tags, contacts, consent and proxies."""
from datetime import timedelta

from backend.community.models import Building, Household
from backend.demo import data
from backend.demo.base import DemoBuilderBase
from backend.extensions import db
from backend.people.models import ADULT_AGE, PROXY_SCOPES, EmergencyContact, Resident


class ResidentsPart(DemoBuilderBase):
    """Households in every building, and the people registered in them."""

    def _add_households_and_residents(self) -> None:
        sizes = [3, 2] * (len(self.buildings) // 2)
        self.rng.shuffle(sizes)
        demo_building, demo_door = self.buildings[0], data.DEMO_RESIDENT["door_number"]
        slots = []
        for building, size in zip(self.buildings, sizes):
            doors = [f"{unit} 单元 {floor}0{room}" for unit in (1, 2, 3) for floor in range(1, 7) for room in (1, 2)]
            if building is demo_building:
                doors.remove(demo_door)
                size -= 1
            slots += [(building, door) for door in sorted(self.rng.sample(doors, size))]
        kinds = [kind for kind, count in data.HOUSEHOLD_KINDS.items() for _ in range(count)]
        self.rng.shuffle(kinds)
        plans = [self._plan(kind) for kind in kinds]
        self._choose_the_oldest(plans)
        for (building, door), plan in zip([(demo_building, demo_door)] + slots, [None] + plans):
            household = self._household(building, door)
            if plan is None:
                self._add_demo_resident(household)
            else:
                self._add_members(household, plan)
        self._set_statuses()
        self._add_family_proxies()

    def _household(self, building: Building, door: str) -> Household:
        compact = door.replace(" ", "")
        household = Household(building=building, door_number=door,
                              address_text=f"{building.address}{compact}室",
                              phone=self._phone() if self.rng.random() < 0.4 else None)
        self.households.append(household)
        db.session.add(household)
        return household

    def _plan(self, kind: str) -> dict:
        """Who lives in a household of this kind, before ages are settled."""
        members = {
            "alone": ["elder"], "couple": ["elder_man", "elder_woman"], "elder_with_family": ["elder"],
            "children_one": ["grandparent", "child"],
            "children_two": ["grandfather", "grandmother", "child", "child"],
            "left_behind_woman": ["woman"], "left_behind_woman_with_in_law": ["woman", "in_law"],
        }[kind]
        return {"kind": kind, "members": [{"role": role, "aged_80_plus": False} for role in members]}

    def _choose_the_oldest(self, plans: list[dict]) -> None:
        """Exactly a third of all residents (王奶奶 included) are 80 or older by birth year."""
        total = 1 + sum(len(plan["members"]) for plan in plans)
        candidates = [member for plan in plans for member in plan["members"]
                      if member["role"] in ("elder", "elder_man", "elder_woman", "in_law")]
        for member in self.rng.sample(candidates, round(total * data.AGED_80_PLUS_SHARE) - 1):
            member["aged_80_plus"] = True

    def _age(self, member: dict) -> int:
        role = member["role"]
        if member["aged_80_plus"]:
            return self.rng.randint(80, 96)
        if role == "child":
            return self.rng.randint(5, 16)
        if role == "woman":
            return self.rng.randint(30, 48)
        if role.startswith("grand"):
            return self.rng.randint(56, 78)
        return self.rng.randint(62, 79)

    def _add_demo_resident(self, household: Household) -> None:
        spec = data.DEMO_RESIDENT
        user = self._user(spec["family_name"] + spec["given_name"], "resident", phone=spec["phone"])
        resident = self._resident(
            household, family_name=spec["family_name"], given_name=spec["given_name"],
            address_as=spec["address_as"], gender=spec["gender"], birth_year=spec["birth_year"],
            tags=["lives_alone"], languages=["mandarin", "hangzhou_dialect"], phone=spec["phone"],
            notes=spec["preference_notes"])
        self.account_links.append((resident, user))
        proxy = data.DEMO_PROXY
        daughter = self._user(proxy["name"], "proxy", phone=proxy["phone"])
        resident.emergency_contacts.append(EmergencyContact(name=proxy["name"], relation=proxy["relation"],
                                                            phone=proxy["phone"]))
        self.proxy_links.append((resident, daughter, proxy["relation"], False, PROXY_SCOPES))
        self.demo_resident = resident
        building = household.building
        self.demo_position = (building.lat, building.lng)

    def _add_members(self, household: Household, plan: dict) -> None:
        kind, rng = plan["kind"], self.rng
        members = plan["members"]
        if kind.startswith("children"):
            self._add_children_household(household, members)
            return
        if kind.startswith("left_behind_woman"):
            self._add_left_behind_woman(household, members)
            return
        for member in members:
            gender = {"elder_man": "male", "elder_woman": "female"}.get(
                member["role"], "female" if rng.random() < 0.62 else "male")
            age = self._age(member)
            tags = ["lives_alone"] if kind == "alone" else []
            tags += self._health_tags(age, low_income=0.18 if kind == "alone" else 0.08)
            resident = self._resident(household, gender=gender, age=age, tags=tags,
                                      languages=self._elder_languages(),
                                      phone=self._phone() if rng.random() < 0.55 else None,
                                      notes=rng.choice(data.PREFERENCE_NOTES) if rng.random() < 0.3 else None)
            if gender == "female" and rng.random() < 0.2:
                resident.prefers_volunteer_gender = "female"
            for _ in range(rng.choice([1, 1, 2])):
                self._emergency_contact(resident)

    def _add_children_household(self, household: Household, members: list[dict]) -> None:
        rng = self.rng
        family = self._name("male", "adult")[0]
        guardian_is_father = rng.random() < 0.6
        guardian_family = family if guardian_is_father else self._name("female", "adult")[0]
        guardian_name = "".join(self._name("male" if guardian_is_father else "female", "adult", guardian_family))
        relation = "父亲" if guardian_is_father else "母亲"
        guardian = self._user(guardian_name, "proxy")
        for member in members:
            role, age = member["role"], self._age(member)
            if role == "child":
                gender = "female" if rng.random() < 0.5 else "male"
                child = self._resident(household, gender=gender, age=age, family_name=family,
                                       tags=["left_behind_child"],
                                       languages=["mandarin"] + (["hangzhou_dialect"] if rng.random() < 0.3 else []),
                                       guardian_name=guardian_name)
                child.emergency_contacts.append(EmergencyContact(name=guardian_name, relation=relation,
                                                                 phone=guardian.phone))
                self.proxy_links.append((child, guardian, relation, True, PROXY_SCOPES))
                continue
            gender = {"grandfather": "male", "grandmother": "female"}.get(
                role, "female" if rng.random() < 0.6 else "male")
            grandparent = self._resident(
                household, gender=gender, age=age, family_name=family if gender == "male" else None,
                tags=self._health_tags(age, low_income=0.2), languages=self._elder_languages(),
                phone=self._phone() if rng.random() < 0.5 else None)
            grandparent.emergency_contacts.append(EmergencyContact(
                name=guardian_name, relation="儿子" if guardian_is_father else "儿媳", phone=guardian.phone))

    def _add_left_behind_woman(self, household: Household, members: list[dict]) -> None:
        rng = self.rng
        husband_family, husband_given = self._name("male", "adult")
        for member in members:
            age = self._age(member)
            if member["role"] == "woman":
                woman = self._resident(
                    household, gender="female", age=age,
                    tags=["left_behind_woman"] + (["low_income"] if rng.random() < 0.25 else []),
                    languages=["mandarin"] + (["sichuanese"] if rng.random() < 0.4 else []), phone=self._phone())
                woman.emergency_contacts.append(EmergencyContact(
                    name=husband_family + husband_given, relation="丈夫", phone=self._phone()))
            else:
                in_law = self._resident(household, gender="female", age=age,
                                        tags=self._health_tags(age, low_income=0.1),
                                        languages=self._elder_languages(), phone=None)
                self._emergency_contact(in_law)

    def _health_tags(self, age: int, low_income: float) -> list[str]:
        old = age >= 80
        tags = []
        if self.rng.random() < (0.45 if old else 0.3):
            tags.append("chronic_illness")
        if self.rng.random() < (0.14 if old else 0.04):
            tags.append("disabled")
        if self.rng.random() < low_income:
            tags.append("low_income")
        return tags

    def _elder_languages(self) -> list[str]:
        roll = self.rng.random()
        if roll < 0.6:
            return ["mandarin", "hangzhou_dialect"]
        if roll < 0.85:
            return ["hangzhou_dialect"]
        if roll < 0.95:
            return ["mandarin"]
        return ["mandarin", self.rng.choice(["wenzhou_dialect", "cantonese", "sichuanese"])]

    def _address_as(self, family_name: str, given_name: str, gender: str, age: int) -> str:
        if age < ADULT_AGE:
            return "小" + given_name[-1]
        female = gender == "female"
        if age >= 70:
            local = self.rng.random() < 0.2  # 阿婆/阿公: how Hangzhou neighbours say it
            return family_name + (("阿婆" if local else "奶奶") if female else ("阿公" if local else "爷爷"))
        if age >= 55:
            return family_name + ("阿姨" if female else "叔叔")
        return family_name + ("姐" if female else "哥")

    def _resident(self, household: Household, *, gender: str, tags: list[str], languages: list[str],
                  age: int | None = None, birth_year: int | None = None, family_name: str | None = None,
                  given_name: str | None = None, address_as: str | None = None, phone: str | None = None,
                  notes: str | None = None, guardian_name: str | None = None) -> Resident:
        birth_year = birth_year or self.today.year - age
        age = self.today.year - birth_year
        generation = "child" if age < ADULT_AGE else "adult" if age < 55 else "elder"
        if given_name is None:
            family_name, given_name = self._name(gender, generation, family_name)
        if age >= 80:
            tags = tags + ["aged_80_plus"]
        resident = Resident(
            household=household, family_name=family_name, given_name=given_name,
            address_as=address_as or self._address_as(family_name, given_name, gender, age),
            gender=gender, birth_year=birth_year, phone=phone, status="active", preference_notes=notes)
        resident.tags = [self._term("risk_tag", code) for code in dict.fromkeys(tags)]
        resident.languages = [self._term("language", code) for code in languages]
        db.session.add(resident)
        self.residents.append(resident)
        if guardian_name:
            self.consents.append((resident, "guardian", guardian_name))
        else:
            self.consents.append((resident, "resident", family_name + given_name))
        return resident

    def _emergency_contact(self, resident: Resident) -> None:
        relation = self.rng.choice(data.EMERGENCY_RELATIONS)
        gender = {"儿子": "male", "外甥": "male", "女儿": "female", "侄女": "female", "儿媳": "female"}.get(
            relation, "female" if self.rng.random() < 0.5 else "male")
        family, given = self._name(gender, "adult")
        resident.emergency_contacts.append(EmergencyContact(name=family + given, relation=relation,
                                                            phone=self._phone()))

    def _set_statuses(self) -> None:
        """A few residents are not at home: visits and offers pause for them."""
        adults = [r for r in self.residents[1:] if self.today.year - r.birth_year >= 60]
        changed = self.rng.sample(adults, 6)
        for resident in changed[:3]:
            resident.status = "in_hospital"
        for resident in changed[3:5]:
            resident.status = "away"
            resident.away_until = self.today + timedelta(days=self.rng.randint(7, 30))
        changed[5].status = "moved_away"

    def _add_family_proxies(self) -> None:
        """A few elderly residents' adult children, far away, act for them within some scopes."""
        candidates = [r for r in self.residents[1:] if r.status == "active" and r.birth_year <= self.today.year - 70]
        scope_sets = [PROXY_SCOPES, ("view_status", "receive_alerts"),
                      ("view_status", "request_help", "receive_alerts"), ("view_status", "view_visit_summaries"),
                      PROXY_SCOPES]
        for resident, scopes in zip(self.rng.sample(candidates, len(scope_sets)), scope_sets):
            relation = self.rng.choice(["儿子", "女儿"])
            gender = "female" if relation == "女儿" else "male"
            # Children carry their father's family name; a mother's children have another one.
            name = "".join(self._name(gender, "adult", resident.family_name if resident.gender == "male" else None))
            proxy = self._user(name, "proxy")
            resident.emergency_contacts.append(EmergencyContact(name=name, relation=relation, phone=proxy.phone))
            self.proxy_links.append((resident, proxy, relation, False, scopes))
        # A few residents with phones of their own sign in themselves (a worker linked them).
        with_phones = [r for r in candidates if r.phone and r not in {link[0] for link in self.proxy_links}]
        for resident in self.rng.sample(with_phones, 4):
            user = self._user(resident.full_name, "resident", phone=resident.phone)
            self.account_links.append((resident, user))
