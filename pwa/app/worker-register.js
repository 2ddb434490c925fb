// Registering a resident in a household: name, how to address them, gender, birth year, phone,
// risk tags, one emergency contact and the registry consent the server requires.

import { api } from "./api.js";
import { t } from "./i18n.js";
import { navigate } from "./router.js";
import { announce, slot } from "./screen.js";
import { termLabel } from "./worker-residents.js";
import { handleForm } from "./forms.js";
import { load, workerScreen } from "./worker.js";

const REQUIRED = ["family_name", "given_name", "address_as", "birth_year", "consent_giver_name"];

function labels() {
  return {
    family_name: t("worker.family_name"), given_name: t("worker.given_name"), address_as: t("worker.address_as"),
    gender: t("worker.gender"), birth_year: t("worker.birth_year"), phone: t("worker.resident_phone"),
    tags: t("worker.tags"), contact_name: t("worker.contact_name"), contact_relation: t("worker.contact_relation"),
    contact_phone: t("worker.contact_phone"), consent_given_by: t("worker.consent_given_by"),
    consent_giver_name: t("worker.consent_giver_name"), household_id: t("worker.household"),
  };
}

function tagChoices(container, tags) {
  for (const tag of tags) {
    const wrapper = document.createElement("div");
    wrapper.className = "switch";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "tags";
    box.value = tag.code;
    box.id = `tag-${tag.code}`;
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = termLabel(tag);
    wrapper.append(box, label);
    container.append(wrapper);
  }
}

/** `/worker/households/<id>/new-resident`: register a resident (needs the network). */
export async function showNewResident([householdId], options) {
  const screen = workerScreen("worker-new-resident", "worker.register_resident", options);
  const form = screen;
  slot(screen, "back").href = `/worker/households/${householdId}`;
  const value = (name) => form.elements[name].value.trim();
  handleForm(form, {
    labels,
    check() {
      const problems = {};
      for (const name of REQUIRED) {
        if (!value(name)) {
          problems[name] = [t("worker.missing", { field: labels()[name] })];
        }
      }
      for (const name of ["gender", "consent_given_by"]) {
        if (!form.querySelector(`input[name="${name}"]:checked`)) {
          problems[name] = [t("worker.missing_choice", { field: labels()[name] })];
        }
      }
      const contact = ["contact_name", "contact_relation", "contact_phone"];
      if (contact.some(value)) {
        for (const name of contact.filter((field) => !value(field))) {
          problems[name] = [t("worker.missing", { field: labels()[name] })];
        }
      }
      return problems;
    },
    rename: { emergency_contacts_name: "contact_name", emergency_contacts_relation: "contact_relation",
      emergency_contacts_phone: "contact_phone" },
    submit() {
      const body = {
        household_id: Number(householdId), family_name: value("family_name"), given_name: value("given_name"),
        address_as: value("address_as"), gender: form.querySelector('input[name="gender"]:checked').value,
        birth_year: Number(value("birth_year")) || value("birth_year"),
        tags: [...form.querySelectorAll('input[name="tags"]:checked')].map((box) => box.value),
        consent: {
          given_by: form.querySelector('input[name="consent_given_by"]:checked').value,
          giver_name: value("consent_giver_name"),
        },
        emergency_contacts: value("contact_name") ? [{
          name: value("contact_name"), relation: value("contact_relation"), phone: value("contact_phone"),
        }] : [],
      };
      if (value("phone")) {
        body.phone = value("phone");
      }
      return api("POST", "/api/v1/residents", body);
    },
    async done(answer) {
      await navigate(`/worker/residents/${answer.body.id}`);
      announce(t("worker.resident_registered"));
    },
  });
  // The form works before the lists arrive: a tap on 登记 never falls through to the browser.
  const [household, community] = await Promise.all([
    load(`/api/v1/households/${householdId}`), load("/api/v1/communities/current"),
  ]);
  if (household.ok) {
    slot(screen, "household").textContent = t("worker.household_heading",
      { building: household.body.building_label, door: household.body.door_number });
  }
  if (community.ok) {
    tagChoices(slot(screen, "tags"), community.body.risk_tags);
  }
}
