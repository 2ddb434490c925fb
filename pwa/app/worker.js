// The worker's home (and the admin's, scoped by the API to the whole community): grids →
// buildings → households, and registering a household; shared helpers for the worker screens.

import { api } from "./api.js";
import { explain, handleForm } from "./forms.js";
import { t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { navigate } from "./router.js";
import { announce, showScreen, slot } from "./screen.js";

/** Put `message` in the screen's list `list`, or show its `empty` slot when there are no rows. */
export function fillList(screen, rows, build, listName = "list") {
  const list = slot(screen, listName);
  list.replaceChildren(...rows.map((row) => {
    const item = document.createElement("li");
    item.append(...[].concat(build(row)));
    return item;
  }));
  const empty = slot(screen, "empty");
  if (empty && listName === "list") {
    empty.hidden = rows.length > 0;
  }
}

/** An in-app link styled as a secondary button. */
export function linkButton(href, text) {
  const link = document.createElement("a");
  link.className = "button button-secondary list-button";
  link.href = href;
  link.textContent = text;
  return link;
}

/** Fill a <dl> with [term, value] pairs, leaving out empty values. */
export function fillFacts(list, pairs) {
  const parts = [];
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === "") {
      continue;
    }
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    parts.push(dt, dd);
  }
  list.replaceChildren(...parts);
}

/**
 * Show a worker screen and return its own root element (not the shared container): slots are
 * looked up inside it, so an answer that arrives after the person moved on fills a detached
 * copy instead of the next screen.
 */
export function workerScreen(name, titleKey, options) {
  return showScreen(name, titleKey, options).firstElementChild;
}

/**
 * Load `path` (from this phone's cache when the network is down and it was seen online before);
 * on failure show the server's (or our network) message in the status line.
 */
export async function load(path) {
  const answer = explain(await cachedRead(path));
  if (!answer.ok) {
    announce(answer.message);
  }
  return answer;
}

/** `/` for workers and admins. */
export async function showWorkerHome(user, options, wireElderSwitch) {
  const screen = workerScreen("worker-home", "worker.title", options);
  wireElderSwitch(screen);
  slot(screen, "greeting").textContent = t("home.greeting", { name: user.display_name });
  slot(screen, "scope").textContent = t(user.roles.includes("admin") ? "worker.scope_admin" : "worker.scope_worker");
  const grids = await load("/api/v1/grids?per_page=100");
  if (grids.ok) {
    fillList(screen, grids.body.items, (grid) => linkButton(`/worker/grids/${grid.id}`, grid.name));
  }
}

/** `/worker/grids/<id>`: a grid's buildings. */
export async function showGrid([gridId], options) {
  const screen = workerScreen("worker-grid", "worker.buildings", options);
  slot(screen, "heading").textContent = t("worker.buildings");
  const [grid, buildings] = await Promise.all([
    load(`/api/v1/grids/${gridId}`), load(`/api/v1/buildings?grid_id=${gridId}&per_page=100`),
  ]);
  if (grid.ok) {
    slot(screen, "heading").textContent = grid.body.name;
  }
  if (buildings.ok) {
    fillList(screen, buildings.body.items, (building) => linkButton(`/worker/buildings/${building.id}`, building.label));
  }
}

/** `/worker/buildings/<id>`: a building's households, and registering one there. */
export async function showBuilding([buildingId], options) {
  const screen = workerScreen("worker-building", "worker.households", options);
  slot(screen, "heading").textContent = t("worker.households");
  slot(screen, "new-household").href = `/worker/buildings/${buildingId}/new-household`;
  const [building, households] = await Promise.all([
    load(`/api/v1/buildings/${buildingId}`), load(`/api/v1/households?building_id=${buildingId}&per_page=100`),
  ]);
  if (building.ok) {
    slot(screen, "heading").textContent = building.body.label;
    slot(screen, "address").textContent = building.body.address || "";
    slot(screen, "back").href = `/worker/grids/${building.body.grid_id}`;
  }
  if (households.ok) {
    fillList(screen, households.body.items, (household) => linkButton(`/worker/households/${household.id}`,
      t("worker.household_entry", { door: household.door_number, count: household.resident_count })));
  }
}

/** `/worker/households/<id>`: the household's address and phone (the server records the read). */
export async function showHousehold([householdId], options) {
  const screen = workerScreen("worker-household", "worker.household", options);
  slot(screen, "heading").textContent = t("worker.household");
  slot(screen, "new-resident").href = `/worker/households/${householdId}/new-resident`;
  const household = await load(`/api/v1/households/${householdId}`);
  if (!household.ok) {
    return;
  }
  const body = household.body;
  slot(screen, "heading").textContent = t("worker.household_heading",
    { building: body.building_label, door: body.door_number });
  slot(screen, "back").href = `/worker/buildings/${body.building_id}`;
  fillFacts(slot(screen, "facts"), [
    [t("worker.address"), body.address_text], [t("worker.household_phone"), body.phone],
    [t("worker.resident_count"), String(body.resident_count)],
  ]);
}

/** `/worker/buildings/<id>/new-household`: register a household (needs the network). */
export async function showNewHousehold([buildingId], options) {
  const screen = workerScreen("worker-new-household", "worker.register_household", options);
  slot(screen, "heading").textContent = t("worker.register_household");
  const form = screen;
  slot(screen, "back").href = `/worker/buildings/${buildingId}`;
  const labels = () => ({ door_number: t("worker.door_number"), phone: t("worker.household_phone"),
    building_id: t("worker.building") });
  handleForm(form, {
    labels,
    check: () => (form.elements.door_number.value.trim() ? {} : { door_number: [t("worker.missing_door")] }),
    submit() {
      const body = { building_id: Number(buildingId), door_number: form.elements.door_number.value.trim() };
      const phone = form.elements.phone.value.trim();
      if (phone) {
        body.phone = phone;
      }
      return api("POST", "/api/v1/households", body);
    },
    async done(answer) {
      await navigate(`/worker/households/${answer.body.id}`);
      announce(t("worker.household_registered"));
    },
  });
  const building = await load(`/api/v1/buildings/${buildingId}`);
  slot(screen, "heading").textContent = building.ok
    ? t("worker.register_household_in", { building: building.body.label }) : t("worker.register_household");
}
