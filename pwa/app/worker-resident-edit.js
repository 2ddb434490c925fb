// Changing a resident after registration: the record's details, the status (away until a date,
// in hospital, moved away, deceased after a confirmation) and emergency contacts. Each form calls
// the API directly (it needs the network and says so), then shows the record again, fresh.

import { api } from "./api.js";
import { handleForm } from "./forms.js";
import { t } from "./i18n.js";
import { slot } from "./screen.js";
import { backToRecord, residentHeading, termLabel } from "./worker-residents.js";
import { load, workerScreen } from "./worker.js";

const DETAIL_TEXT = ["family_name", "given_name", "address_as", "birth_year", "phone", "preference_notes"];
const DETAIL_REQUIRED = ["family_name", "given_name", "address_as", "birth_year"];
const DETAIL_CHOICES = ["gender", "prefers_volunteer_gender"];
const DETAIL_LISTS = ["tags", "languages"];

/**
 * Checkboxes or radios named `name` in `container`, one `.switch` per [value, label]; ids start
 * with `idPrefix`.
 */
export function choices(container, { name, type = "checkbox", options, idPrefix = name }) {
  container.replaceChildren(...options.map(([value, text]) => {
    const wrapper = document.createElement("div");
    wrapper.className = "switch";
    const box = document.createElement("input");
    box.type = type;
    box.name = name;
    box.value = value;
    box.id = `${idPrefix}-${value}`.replace(/[^\w-]/g, "-");
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = text;
    wrapper.append(box, label);
    return wrapper;
  }));
}

/** The values of the checked boxes named `name`, in the form's order. */
export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
}

/** The value of the checked radio named `name`, or undefined. */
export function checkedValue(form, name) {
  return form.querySelector(`input[name="${name}"]:checked`)?.value;
}

/** Check exactly the boxes (or the radio) named `name` whose values are in `values`. */
export function setChecked(form, name, values) {
  for (const box of form.querySelectorAll(`input[name="${name}"]`)) {
    box.checked = values.includes(box.value);
  }
}

/** Missing-field errors for the text fields `names` of `form`, worded with `labels`. */
export function missing(form, names, labels) {
  const problems = {};
  for (const name of names) {
    if (!form.elements[name].value.trim()) {
      problems[name] = [t("worker.missing", { field: labels[name] })];
    }
  }
  return problems;
}

/**
 * Show a form's fields once its record is here (`answer`), else say in `loading` why not. Fields
 * filled from the record stay hidden until then, so nothing typed or tapped early is overwritten.
 */
function reveal(screen, answer) {
  if (!answer.ok) {
    slot(screen, "loading").textContent = answer.message;
    return false;
  }
  slot(screen, "loading").hidden = true;
  slot(screen, "fields").hidden = false;
  return true;
}

function detailLabels() {
  return {
    family_name: t("worker.family_name"), given_name: t("worker.given_name"), address_as: t("worker.address_as"),
    gender: t("worker.gender"), birth_year: t("worker.birth_year"), phone: t("worker.resident_phone"),
    tags: t("worker.tags"), languages: t("worker.languages"),
    prefers_volunteer_gender: t("worker.prefers_volunteer_gender"), preference_notes: t("worker.preference_notes"),
    household_id: t("worker.household"),
  };
}

function detailValues(form) {
  const values = {};
  for (const name of DETAIL_TEXT) {
    values[name] = form.elements[name].value.trim();
  }
  for (const name of DETAIL_CHOICES) {
    values[name] = checkedValue(form, name) ?? "";
  }
  for (const name of DETAIL_LISTS) {
    values[name] = checkedValues(form, name);
  }
  return values;
}

/** Only what the worker changed, in the API's types: an emptied phone or note is removed (null). */
function detailChanges(before, after) {
  const changes = {};
  for (const [name, value] of Object.entries(after)) {
    if (JSON.stringify(value) === JSON.stringify(before[name])) {
      continue;
    }
    if (name === "birth_year") {
      changes[name] = /^\d+$/.test(value) ? Number(value) : value;
    } else if (["phone", "preference_notes", "prefers_volunteer_gender"].includes(name)) {
      changes[name] = value || null;
    } else {
      changes[name] = value;
    }
  }
  return changes;
}

/** `/worker/residents/<id>/edit`: names, how to address them, gender, birth year, phone, tags … */
export async function showEditResident([residentId], options) {
  const screen = workerScreen("worker-resident-edit", "worker.edit_details", options);
  const form = screen;
  let before = null;
  handleForm(form, {
    labels: detailLabels,
    check: () => missing(form, DETAIL_REQUIRED, detailLabels()),
    submit() {
      const changes = detailChanges(before, detailValues(form));
      // Nothing changed: nothing to send (and nothing to audit), back to the record.
      return Object.keys(changes).length ? api("PATCH", `/api/v1/residents/${residentId}`, changes)
        : { ok: true, unchanged: true };
    },
    done: (answer) => backToRecord(residentId, t(answer.unchanged ? "worker.nothing_changed" : "worker.details_saved")),
  });
  const [answer, community] = await Promise.all([
    residentHeading(screen, residentId, "worker.edit_details_of", "worker.edit_details"),
    load("/api/v1/communities/current"),
  ]);
  if (!reveal(screen, answer)) {
    return;
  }
  const resident = answer.body;
  const terms = (vocabulary, held) => {
    const known = community.ok ? community.body[vocabulary] : [];
    const extra = held.filter((term) => !known.some((other) => other.code === term.code));
    return [...known, ...extra].map((term) => [term.code, termLabel(term)]);
  };
  choices(slot(screen, "tags"), { name: "tags", options: terms("risk_tags", resident.tags), idPrefix: "edit-tag" });
  choices(slot(screen, "languages"), { name: "languages", options: terms("languages", resident.languages),
    idPrefix: "edit-language" });
  for (const name of DETAIL_TEXT) {
    form.elements[name].value = resident[name] ?? "";
  }
  setChecked(form, "gender", [resident.gender]);
  setChecked(form, "prefers_volunteer_gender", [resident.prefers_volunteer_gender ?? ""]);
  setChecked(form, "tags", resident.tags.map((tag) => tag.code));
  setChecked(form, "languages", resident.languages.map((language) => language.code));
  before = detailValues(form);
}

/**
 * `/worker/residents/<id>/status`: active, away until a date, in hospital, moved away or
 * deceased. Deceased closes everything for the resident, so it asks once more before sending.
 */
export async function showStatus([residentId], options) {
  const screen = workerScreen("worker-resident-status", "worker.change_status", options);
  const form = screen;
  const awayField = slot(screen, "away-field");
  const confirm = slot(screen, "confirm");
  const chosen = () => checkedValue(form, "status");
  const labels = () => ({ status: t("worker.new_status"), away_until: t("worker.away_until_label") });
  let confirmed = false;
  let name = "";
  form.addEventListener("change", (event) => {
    if (event.target.name === "status") {
      awayField.hidden = chosen() !== "away";
      confirm.hidden = true;
    }
  });
  // Registered before handleForm's listener, so a first 保存 on 已去世 only opens the question.
  form.addEventListener("submit", (event) => {
    if (chosen() === "deceased" && !confirmed) {
      event.preventDefault();
      event.stopImmediatePropagation();
      slot(confirm, "confirm-heading").textContent = t("worker.deceased_question", { name });
      confirm.hidden = false;
      slot(confirm, "confirm-heading").focus();
    }
  });
  confirm.querySelector('[data-action="confirm"]').addEventListener("click", () => {
    confirmed = true;
    form.requestSubmit();
    confirmed = false;
  });
  confirm.querySelector('[data-action="cancel"]').addEventListener("click", () => {
    confirm.hidden = true;
    form.querySelector('input[value="deceased"]').focus();
  });
  handleForm(form, {
    labels,
    check() {
      if (!chosen()) {
        return { status: [t("worker.missing_choice", { field: labels().status })] };
      }
      if (chosen() === "away" && !form.elements.away_until.value) {
        return { away_until: [t("worker.missing_away_until")] };
      }
      return {};
    },
    submit: () => api("POST", `/api/v1/residents/${residentId}/status`, {
      status: chosen(), away_until: chosen() === "away" ? form.elements.away_until.value : null,
    }),
    async done(answer) {
      confirm.hidden = true;
      const status = answer.body?.status ?? chosen();
      await backToRecord(residentId, t("worker.status_saved", { status: t(`worker.status.${status}`) }));
    },
  });
  // The choices appear with the current status, never before: a tap made earlier would be undone.
  const answer = await residentHeading(screen, residentId, "worker.status_of", "worker.change_status");
  if (!reveal(screen, answer)) {
    return;
  }
  const resident = answer.body;
  name = resident.address_as;
  slot(screen, "current").textContent = t("worker.current_status", {
    status: t(`worker.status.${resident.status}`)
      + (resident.away_until ? t("worker.away_until", { date: resident.away_until }) : ""),
  });
  setChecked(form, "status", [resident.status]);
  form.elements.away_until.value = resident.away_until ?? "";
  awayField.hidden = resident.status !== "away";
}

function contactLabels() {
  return { name: t("worker.contact_name"), relation: t("worker.contact_relation"), phone: t("worker.contact_phone"),
    language: t("worker.contact_language") };
}

function contactValues(form) {
  return { name: form.elements.name.value.trim(), relation: form.elements.relation.value.trim(),
    phone: form.elements.phone.value.trim(), language: checkedValue(form, "language") ?? "zh-CN" };
}

/** `/worker/residents/<id>/contacts/new`: someone to tell in an emergency. */
export async function showNewContact([residentId], options) {
  const screen = workerScreen("worker-contact", "worker.add_contact", options);
  const form = screen;
  slot(screen, "submit").textContent = t("worker.add_contact");
  handleForm(form, {
    labels: contactLabels,
    check: () => missing(form, ["name", "relation", "phone"], contactLabels()),
    submit: () => api("POST", `/api/v1/residents/${residentId}/emergency-contacts`, contactValues(form)),
    done: () => backToRecord(residentId, t("worker.contact_added", { name: contactValues(form).name }),
      "resident-contacts-heading"),
  });
  await residentHeading(screen, residentId, "worker.add_contact_for", "worker.add_contact");
}

/** `/worker/residents/<id>/contacts/<contact id>`: correct a contact (removing is on the record). */
export async function showContact([residentId, contactId], options) {
  const screen = workerScreen("worker-contact", "worker.edit_contact", options);
  const form = screen;
  slot(screen, "submit").textContent = t("worker.save_changes");
  slot(screen, "loading").hidden = false;
  slot(screen, "fields").hidden = true;
  let before = null;
  handleForm(form, {
    labels: contactLabels,
    check: () => missing(form, ["name", "relation", "phone"], contactLabels()),
    submit() {
      const after = contactValues(form);
      const changes = Object.fromEntries(Object.entries(after).filter(([key, value]) => value !== before[key]));
      return Object.keys(changes).length
        ? api("PATCH", `/api/v1/residents/${residentId}/emergency-contacts/${contactId}`, changes)
        : { ok: true, unchanged: true };
    },
    done: (answer) => backToRecord(residentId, answer.unchanged ? t("worker.nothing_changed")
      : t("worker.contact_saved", { name: contactValues(form).name }), "resident-contacts-heading"),
  });
  const answer = await residentHeading(screen, residentId, "worker.edit_contact_of", "worker.edit_contact");
  const contact = answer.ok && answer.body.emergency_contacts.find((row) => row.id === Number(contactId));
  if (!reveal(screen, contact ? answer : { ok: false, message: answer.ok ? t("worker.contact_gone") : answer.message })) {
    return;
  }
  form.elements.name.value = contact.name;
  form.elements.relation.value = contact.relation;
  form.elements.phone.value = contact.phone;
  setChecked(form, "language", [contact.language]);
  before = contactValues(form);
}
