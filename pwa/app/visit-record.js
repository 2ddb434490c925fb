// The visit record form (docs/visits.md, Visit records), a worker's for a household
// (/worker/visits/record/<household id>) and a volunteer's for a visit handed to them
// (/volunteer/visits/<delegation id>): the outcome at the door; per active resident their outcome,
// the wellbeing checklist, needs and serious concerns; a plain summary for the family, staff notes
// and an optional next visit. It goes through the outbox with occurred_at taken at the tap, so a
// visit recorded in a basement arrives once, with its time. The household and its residents come
// from what the due list, the day plan or the volunteer's home kept on this phone ("visit kits"),
// so the form opens without signal. Afterwards a need becomes a help request in one tap (workers),
// and a serious concern says that an alert was raised.

import { clearErrors, showErrors } from "./errors.js";
import { flatErrors } from "./forms.js";
import { formatDateTime, t, translate } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { announce, showScreen, slot } from "./screen.js";
import { keepVisitKits, keptKit } from "./visit-kits.js";

const CHECKLIST = ["health", "mood", "eating", "medication", "gas", "electricity", "fall_hazards", "hygiene"];
const CONCERNS = ["no_food", "unsafe_home", "abuse_or_neglect"];
// A household's due list covers this many days ahead when the form looks a household up itself.
const LOOKUP_DAYS = 60;

/** The household's kit for a worker: kept on this phone, else found in the due list online. */
async function householdKit(householdId) {
  const id = Number(householdId);
  const kept = await keptKit("household", id);
  if (kept) {
    return kept;
  }
  const due = await cachedRead(`/api/v1/visits/due?within_days=${LOOKUP_DAYS}&per_page=100`);
  const entry = due.ok ? due.body.items.find((item) => item.household_id === id) : null;
  if (entry) {
    await keepVisitKits([entry]);
  }
  return entry;
}

/** A volunteer's delegated visit: the server's (cached when seen online), else the home's kit. */
async function delegationKit(delegationId) {
  const answer = await cachedRead(`/api/v1/visit-delegations/${delegationId}`);
  if (answer.ok) {
    return { delegation: answer.body, kit: answer.body };
  }
  const kit = await keptKit("delegation", Number(delegationId));
  return { delegation: null, kit, answer };
}

function titleOf(kit) {
  return [kit.building_label, kit.door_number].filter(Boolean).join(" ");
}

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

/** One resident's part of the form (a fieldset from <template id="visit-resident">). */
function residentPart(resident, index) {
  const part = document.getElementById("visit-resident").content.cloneNode(true);
  const root = part.firstElementChild;
  const prefix = `visit-r${index}`;
  translate(part);
  root.dataset.residentId = String(resident.id);
  slot(root, "name").textContent = resident.address_as;
  const wire = (selector, name, label) => {
    const control = root.querySelector(selector);
    control.id = `${prefix}-${name}`;
    slot(root, `${name}-label`).htmlFor = control.id;
    slot(root, `${name}-label`).textContent = t(label, { name: resident.address_as });
    const error = slot(root, `${name}-error`);
    error.id = `${prefix}-${name}-error`;
    return control;
  };
  const outcome = wire('select[name="resident_outcome"]', "outcome", "visit.resident_outcome");
  const needs = wire('textarea[name="needs"]', "needs", "visit.needs");
  const needsHint = slot(root, "needs-hint");
  needsHint.id = `${prefix}-needs-hint`;
  needs.setAttribute("aria-describedby", needsHint.id);
  slot(root, "concerns-error").id = `${prefix}-concerns-error`;
  const checklist = slot(root, "checklist");
  for (const item of CHECKLIST) {
    const field = document.createElement("div");
    field.className = "field check-item";
    const label = document.createElement("label");
    const select = document.createElement("select");
    select.id = `${prefix}-check-${item}`;
    select.name = `check_${item}`;
    label.htmlFor = select.id;
    label.textContent = t(`visit.check.${item}`);
    select.append(option("", t("visit.check_not_checked")), option("ok", t("visit.check_ok")),
      option("concern", t("visit.check_concern")));
    field.append(label, select);
    checklist.append(field);
  }
  const concerns = slot(root, "concerns");
  for (const concern of CONCERNS) {
    const row = document.createElement("div");
    row.className = "switch";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "concern";
    box.value = concern;
    box.id = `${prefix}-concern-${concern}`;
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = t(`visit.concern.${concern}`);
    row.append(box, label);
    concerns.append(row);
  }
  // Someone not met (not at home, in hospital, moved away…) has no checklist to fill.
  const seen = slot(root, "seen");
  outcome.addEventListener("change", () => {
    outcome.dataset.chosen = "true";
    seen.hidden = outcome.value !== "met";
  });
  return part;
}

/** What the form holds, as the API's record body (without household or occurred_at). */
function recordBody(form) {
  const outcome = form.elements.outcome.value;
  const body = { outcome, residents: [] };
  if (outcome !== "not_home") {
    for (const part of form.querySelectorAll(".visit-resident")) {
      const residentOutcome = part.querySelector('select[name="resident_outcome"]').value;
      const entry = { resident_id: Number(part.dataset.residentId), outcome: residentOutcome };
      if (residentOutcome === "met") {
        const checklist = {};
        for (const item of CHECKLIST) {
          const value = part.querySelector(`select[name="check_${item}"]`).value;
          if (value) {
            checklist[item] = value;
          }
        }
        entry.checklist = checklist;
        entry.needs = part.querySelector('textarea[name="needs"]').value.trim() || null;
        entry.concerns = [...part.querySelectorAll('input[name="concern"]:checked')].map((box) => box.value);
      }
      body.residents.push(entry);
    }
  }
  for (const name of ["summary", "notes"]) {
    const value = form.elements[name].value.trim();
    if (value) {
      body[name] = value;
    }
  }
  if (form.elements.next_visit_on?.value) { // a volunteer's form has no next visit: the worker decides
    body.next_visit_on = form.elements.next_visit_on.value;
  }
  return body;
}

function labels() {
  return {
    outcome: t("visit.outcome"), summary: t("visit.summary"), notes: t("visit.notes"),
    next_visit_on: t("visit.next_visit_on"), residents: t("visit.residents"),
    residents_outcome: t("visit.resident_outcome_short"), residents_needs: t("visit.needs_short"),
    residents_concerns: t("visit.concerns"), residents_checklist: t("visit.checklist"),
  };
}

/** What to do next, in words: a need becomes a help request (workers), a concern raised an alert. */
function showAfter(screen, kit, body, { sent, worker }) {
  const names = new Map(kit.residents.map((resident) => [resident.id, resident.address_as]));
  slot(screen, "after").hidden = false;
  slot(screen, "after-heading").textContent = t(sent ? "visit.sent_heading" : "visit.saved_heading");
  slot(screen, "after-state").textContent = t(sent ? "visit.sent" : "visit.saved_pending");
  const items = [];
  for (const entry of body.residents) {
    const name = names.get(entry.resident_id) ?? "";
    if (entry.concerns?.length) {
      const item = document.createElement("li");
      item.className = "note";
      const what = entry.concerns.map((concern) => t(`visit.concern.${concern}`)).join(t("visit.list_separator"));
      item.textContent = t(sent ? "visit.alert_raised" : "visit.alert_when_sent", { name, what });
      items.push(item);
    }
    if (entry.needs) {
      items.push(worker ? needForm(entry, name) : needNote(entry, name));
    }
  }
  slot(screen, "follow-ups").replaceChildren(...items);
  slot(screen, "after-heading").focus();
}

function needNote(entry, name) {
  const item = document.createElement("li");
  item.textContent = t("visit.need_for_staff", { name, needs: entry.needs });
  return item;
}

/** A need as a help request for the resident, in one tap (category 其他 unless the worker picks one). */
function needForm(entry, name) {
  const item = document.createElement("li");
  const form = document.createElement("form");
  form.className = "stack need-form";
  form.noValidate = true;
  const text = document.createElement("p");
  text.textContent = t("visit.need_is", { name, needs: entry.needs });
  const field = document.createElement("div");
  field.className = "field";
  const label = document.createElement("label");
  const select = document.createElement("select");
  select.id = `visit-need-${entry.resident_id}`;
  select.name = "category";
  label.htmlFor = select.id;
  label.textContent = t("visit.need_category", { name });
  select.append(option("other", t("visit.need_other")));
  field.append(label, select);
  const button = document.createElement("button");
  button.type = "submit";
  button.className = "button";
  button.textContent = t("visit.need_ask", { name });
  const outcome = document.createElement("p");
  outcome.className = "note";
  outcome.tabIndex = -1;
  outcome.hidden = true;
  form.append(text, field, button);
  item.append(form, outcome);
  cachedRead("/api/v1/communities/current").then((community) => {
    const skills = community.ok ? community.body.skills ?? [] : [];
    const english = document.documentElement.lang === "en";
    select.prepend(...skills.map((term) => option(term.code, english ? term.label_en : term.label_zh)));
    select.value = "other";
  });
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    const report = await queueWrite({
      method: "POST", path: "/api/v1/help-requests", label: t("visit.need_label", { name }), ownRefusal: true,
      body: { resident_id: entry.resident_id, category: select.value, description: entry.needs.slice(0, 500), asap: true },
    });
    busy = false;
    if (report.state === "failed") {
      outcome.textContent = report.response.message || t("error.network");
    } else {
      form.remove();
      outcome.textContent = t(report.state === "sent" ? "visit.need_sent" : "visit.need_pending", { name });
    }
    outcome.hidden = false;
    outcome.focus();
  });
  return item;
}

/**
 * Draw the form for `kit` and send it to `path` (extra body fields in `fixed`): through the
 * outbox, occurred_at stamped at the tap; a refusal of that first try shows in the error summary.
 */
function recordForm(screen, kit, { path, fixed = {}, worker }) {
  slot(screen, "loading").hidden = true;
  slot(screen, "heading").textContent = t("visit.heading", { place: titleOf(kit) });
  const form = screen.querySelector('[data-form="record"]');
  form.hidden = false;
  slot(screen, "residents").replaceChildren(...kit.residents.map(residentPart));
  const residentsPart = slot(screen, "residents");
  const door = () => form.elements.outcome.value;
  form.addEventListener("change", (event) => {
    if (event.target.name !== "outcome") {
      return;
    }
    residentsPart.hidden = door() === "not_home";
    // Refused at the door: each resident refused too, unless the worker said otherwise for them.
    for (const select of residentsPart.querySelectorAll('select[name="resident_outcome"]')) {
      if (!select.dataset.chosen) {
        select.value = door() === "refused" ? "refused" : "met";
        select.closest(".visit-resident").querySelector('[data-slot="seen"]').hidden = select.value !== "met";
      }
    }
  });
  if (!worker) {
    form.querySelector('[data-field="next_visit_on"]').remove();
  }
  let sending = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) {
      return;
    }
    if (!door()) {
      showErrors(form, { message: t("error.check_marked"), errors: { outcome: [t("visit.choose_outcome")] } }, labels());
      return;
    }
    const body = { ...fixed, ...recordBody(form) };
    if (body.outcome === "refused" && !body.residents.length) {
      showErrors(form, { message: t("visit.no_residents") }, labels());
      return;
    }
    sending = true;
    const button = form.querySelector('button[type="submit"]');
    button.setAttribute("aria-disabled", "true");
    announce(t("forms.busy"));
    const report = await queueWrite({
      method: "POST", path, body, label: t("visit.label", { place: titleOf(kit) }), stampOccurredAt: true,
      ownRefusal: true,
    });
    button.removeAttribute("aria-disabled");
    announce("");
    sending = false;
    if (report.state === "failed") {
      const answer = report.response;
      showErrors(form, { message: answer.message || t("error.network"), errors: flatErrors(answer.errors ?? {}) }, labels());
      return;
    }
    clearErrors(form);
    form.hidden = true; // sent or kept: a second tap would record the visit twice
    showAfter(screen, kit, body, { sent: report.state === "sent", worker });
  });
}

function missing(screen, text) {
  slot(screen, "loading").hidden = true;
  const note = slot(screen, "missing");
  note.textContent = text;
  note.hidden = false;
}

/** `/worker/visits/record/<household id>`: a worker records a visit to a household of their grids. */
export async function showWorkerVisitRecord([householdId], options) {
  const screen = showScreen("visit-record", "visit.title", options).firstElementChild;
  slot(screen, "back").href = "/worker/visits";
  slot(screen, "back").textContent = t("visit.back_to_due");
  const kit = await householdKit(householdId);
  if (!kit) {
    missing(screen, t("visit.no_kit"));
    return;
  }
  recordForm(screen, kit, { path: "/api/v1/visits", fixed: { household_id: Number(householdId) }, worker: true });
}

/** `/volunteer/visits/<delegation id>`: a volunteer records the visit handed to them. */
export async function showVolunteerVisit([delegationId], options) {
  const screen = showScreen("visit-record", "visit.title", options).firstElementChild;
  const { delegation, kit, answer } = await delegationKit(delegationId);
  if (!kit) {
    missing(screen, answer?.status === 0 ? t("visit.needs_network") : (answer?.message || t("visit.no_kit_volunteer")));
    return;
  }
  if (delegation && delegation.status !== "open") {
    missing(screen, t("visit.delegation_done"));
    slot(screen, "heading").textContent = t("visit.heading", { place: titleOf(kit) });
    return;
  }
  if (delegation) {
    const note = slot(screen, "delegation-note");
    note.hidden = false;
    note.textContent = [
      t("visit.due_by", { date: formatDateTime(`${delegation.due_on}T12:00:00+08:00`, { month: "long", day: "numeric" }) }),
      delegation.address ? t("visit.address", { address: delegation.address }) : "",
      delegation.note ? t("visit.worker_note", { note: delegation.note }) : "",
    ].filter(Boolean).join(" ");
  }
  recordForm(screen, kit, { path: `/api/v1/visit-delegations/${delegationId}/record`, worker: false });
}
