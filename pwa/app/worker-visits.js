// 走访名单 (/worker/visits): the due and overdue households of the worker's grids (docs/visits.md,
// The due list) — overdue first, how many days, why, the last visit, who it is handed to — each
// with 记录走访, the household, and 交给志愿者 (a companionship visit for one of the community's
// active, vetted volunteers). The list is kept on this phone with each household's residents, so
// the visit form opens in the field without signal.

import { api } from "./api.js";
import { handleForm } from "./forms.js";
import { formatDateTime, t, translate } from "./i18n.js";
import { announce, slot } from "./screen.js";
import { signedInUser } from "./session.js";
import { keepVisitKits } from "./visit-kits.js";
import { load, workerScreen } from "./worker.js";

const PER_PAGE = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A YYYY-MM-DD date as people read it ("11月27日"). */
export function dayText(day, options = { month: "long", day: "numeric" }) {
  return formatDateTime(`${day}T12:00:00+08:00`, options);
}

/** Today (or `offsetDays` from it) in the community's time zone (from /me) as YYYY-MM-DD. */
export function localDay(offsetDays = 0) {
  const format = (timeZone) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date(Date.now() + offsetDays * DAY_MS));
  let parts;
  try {
    parts = format(signedInUser()?.time_zone || "Asia/Shanghai");
  } catch {
    parts = format("Asia/Shanghai"); // an unknown zone name: the default, as i18n.js does
  }
  const value = (type) => parts.find((part) => part.type === type).value;
  return `${value("year")}-${value("month")}-${value("day")}`;
}

/** "幸福里3幢 302 · 王奶奶、李爷爷" */
export function householdTitle(entry, names = entry.residents.map((resident) => resident.address_as)) {
  const place = [entry.building_label, entry.door_number].filter(Boolean).join(" ");
  return names.length ? `${place} · ${names.join(t("worker.visits.separator"))}` : place;
}

function whenText(entry) {
  if (entry.overdue) {
    return t("worker.visits.overdue", { days: entry.days_overdue, date: dayText(entry.next_due_on) });
  }
  return entry.next_due_on === localDay() ? t("worker.visits.due_today")
    : t("worker.visits.due_on_date", { date: dayText(entry.next_due_on) });
}

function reasonText(entry) {
  if (entry.reason === "new_resident") {
    return t("worker.visits.reason_new_resident");
  }
  if (entry.reason === "asked") {
    return t("worker.visits.reason_asked");
  }
  return t("worker.visits.reason_interval", { days: entry.interval_days ?? "" });
}

let volunteers = null;

/** The community's active volunteers (vetted: a pending one is not active), read once per screen. */
function activeVolunteers() {
  volunteers ??= load(`/api/v1/volunteers?status=active&per_page=${PER_PAGE}`).then((answer) => {
    if (!answer.ok) {
      volunteers = null;
      return [];
    }
    return answer.body.items;
  });
  return volunteers;
}

function delegateForm(root, entry, refresh) {
  const form = root.querySelector('[data-form="delegate"]');
  const opener = slot(root, "delegate-open");
  const prefix = `visit-delegate-${entry.household_id}`;
  for (const [name, selector] of [["volunteer", "select"], ["due", 'input[name="due_on"]'], ["note", "textarea"]]) {
    const control = form.querySelector(selector);
    control.id = `${prefix}-${name}`;
    slot(form, `${name}-label`).htmlFor = control.id;
    slot(form, `${name}-error`).id = `${prefix}-${name}-error`;
  }
  slot(form, "note-hint").id = `${prefix}-note-hint`;
  form.elements.note.setAttribute("aria-describedby", `${prefix}-note-hint`);
  const today = localDay();
  form.elements.due_on.value = entry.next_due_on > today ? entry.next_due_on : localDay(2);
  form.elements.due_on.min = today;
  opener.addEventListener("click", async () => {
    form.hidden = !form.hidden;
    opener.setAttribute("aria-expanded", String(!form.hidden));
    if (form.hidden) {
      return;
    }
    slot(form, "delegate-heading").textContent = t("worker.visits.delegate_heading", { place: householdTitle(entry) });
    slot(form, "delegate-heading").focus();
    const select = form.elements.volunteer_id;
    if (select.options.length === 1) {
      const people = await activeVolunteers();
      select.append(...people.map((person) => {
        const choice = document.createElement("option");
        choice.value = String(person.id);
        choice.textContent = person.display_name;
        return choice;
      }));
    }
  });
  handleForm(form, {
    labels: () => ({ volunteer_id: t("worker.visits.volunteer"), due_on: t("worker.visits.due_on"),
      note: t("worker.visits.note") }),
    check() {
      const problems = {};
      if (!form.elements.volunteer_id.value) {
        problems.volunteer_id = [t("worker.visits.choose_volunteer_first")];
      }
      if (!form.elements.due_on.value) {
        problems.due_on = [t("worker.visits.choose_date")];
      }
      return problems;
    },
    submit() {
      const body = { household_id: entry.household_id, volunteer_id: Number(form.elements.volunteer_id.value),
        due_on: form.elements.due_on.value };
      const note = form.elements.note.value.trim();
      if (note) {
        body.note = note;
      }
      return api("POST", "/api/v1/visit-delegations", body);
    },
    async done(answer) {
      announce(t("worker.visits.delegated_done", { name: answer.body.volunteer_name }));
      await refresh(entry.household_id);
    },
  });
}

function row(entry, refresh) {
  const part = document.getElementById("worker-visit-row").content.cloneNode(true);
  part.querySelector("[data-include]").replaceWith(document.getElementById("error-summary").content.cloneNode(true));
  translate(part);
  const root = part.firstElementChild;
  root.dataset.householdId = String(entry.household_id);
  slot(root, "title").textContent = householdTitle(entry);
  slot(root, "title").id = `visit-row-${entry.household_id}`;
  slot(root, "when").textContent = whenText(entry);
  slot(root, "reason").textContent = reasonText(entry);
  slot(root, "last").textContent = entry.last_visit_on
    ? t("worker.visits.last_visit", { date: dayText(entry.last_visit_on) }) : t("worker.visits.never_visited");
  slot(root, "record").href = `/worker/visits/record/${entry.household_id}`;
  slot(root, "record").setAttribute("aria-describedby", `visit-row-${entry.household_id}`);
  slot(root, "household").href = `/worker/households/${entry.household_id}`;
  slot(root, "household").setAttribute("aria-describedby", `visit-row-${entry.household_id}`);
  if (entry.delegation_id) {
    const note = slot(root, "delegated");
    note.hidden = false;
    note.textContent = t("worker.visits.delegated_to", { name: entry.delegated_to ?? "" });
    slot(root, "delegate-item").remove();
    root.querySelector('[data-form="delegate"]').remove();
  } else {
    slot(root, "delegate-open").setAttribute("aria-describedby", `visit-row-${entry.household_id}`);
    delegateForm(root, entry, refresh);
  }
  return part;
}

/** `/worker/visits`: due and overdue households, overdue first. */
export async function showWorkerVisits(params, options) {
  const screen = workerScreen("worker-visits", "worker.visits.title", options);
  volunteers = null;
  const within = slot(screen, "within");
  within.value = "7";
  let page = 1;
  let generation = 0;

  async function fill({ more = false, focusHousehold = null } = {}) {
    const mine = ++generation;
    page = more ? page + 1 : 1;
    const answer = await load(`/api/v1/visits/due?within_days=${within.value}&page=${page}&per_page=${PER_PAGE}`);
    if (!answer.ok || mine !== generation) {
      return;
    }
    const { items, total } = answer.body;
    keepVisitKits(items); // kept while the list is drawn: the form opens offline from them
    const list = slot(screen, "list");
    const before = list.children.length;
    const rows = items.map((entry) => {
      const item = document.createElement("li");
      item.append(row(entry, (householdId) => fill({ focusHousehold: householdId })));
      return item;
    });
    if (more) {
      list.append(...rows);
      list.children[before]?.querySelector("a")?.focus();
    } else {
      list.replaceChildren(...rows);
    }
    slot(screen, "empty").hidden = list.children.length > 0;
    slot(screen, "more").hidden = list.children.length >= total;
    slot(screen, "count").textContent = list.children.length
      ? t("worker.visits.count", { total, shown: list.children.length }) : "";
    if (focusHousehold) {
      document.getElementById(`visit-row-${focusHousehold}`)?.focus();
    }
  }

  within.addEventListener("change", () => fill());
  slot(screen, "more").addEventListener("click", () => fill({ more: true }));
  await fill();
}
