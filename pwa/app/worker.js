// The worker's home (and the admin's, scoped by the API to the whole community): alerts, the
// roster, grids a page at a time; one household and registering a household; shared helpers for
// the worker screens.

import { api } from "./api.js";
import { explain, handleForm } from "./forms.js";
import { t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { navigate } from "./router.js";
import { announce, prefetchStaffTemplates, showScreen, slot } from "./screen.js";
// worker-lists.js imports load() from here: the cycle is safe, neither uses the other at load time.
import { pagedList } from "./worker-lists.js";

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
  const grids = pagedList(screen, {
    countKey: "worker.grids_shown", countAll: false,
    build: (grid) => linkButton(`/worker/grids/${grid.id}`, grid.name),
  });
  addPlanLink(screen);
  const visits = addVisitsLink(screen);
  await Promise.all([grids.show("/api/v1/grids"), showOpenAlerts(screen), showWaitingRequests(screen),
    showOverdueVisits(visits)]);
  prefetchStaffTemplates(); // the next staff screen's templates, once the home's own reads are in
}

/** 明天的安排 (/worker/plan), next to the call-backs in the home's menu. */
function addPlanLink(screen) {
  const item = document.createElement("li");
  const link = linkButton("/worker/plan", t("worker.plan.menu"));
  link.classList.remove("list-button");
  item.append(link);
  slot(screen, "callbacks").closest("li").after(item);
}

/** 走访名单 (/worker/visits), after the requests in the home's menu. */
function addVisitsLink(screen) {
  const item = document.createElement("li");
  const link = linkButton("/worker/visits", t("worker.visits.menu"));
  link.classList.remove("list-button", "button-secondary");
  link.dataset.primary = "";
  item.append(link);
  slot(screen, "requests").closest("li").after(item);
  return link;
}

/** The visits link says, in words, how many households are overdue. */
async function showOverdueVisits(link) {
  const overdue = await load("/api/v1/visits/due?overdue=true&per_page=1");
  if (overdue.ok && overdue.body.total > 0) {
    link.textContent = t("worker.visits.menu_overdue", { count: overdue.body.total });
  }
}

/**
 * The home's links to /worker/requests and /worker/callbacks say, in words, how many requests
 * nobody took (escalated, or open with nobody to offer them to) and how many call-backs are due.
 */
async function showWaitingRequests(screen) {
  const [needing, callbacks] = await Promise.all(["/api/v1/help-requests?needs_worker=true&per_page=1",
    "/api/v1/callbacks?status=open&per_page=1"].map(load));
  const waiting = needing.ok ? needing.body.total : 0;
  if (waiting > 0) {
    slot(screen, "requests").textContent = t("worker.req.menu_waiting", { count: waiting });
  }
  if (callbacks.ok && callbacks.body.total > 0) {
    slot(screen, "callbacks").textContent = t("worker.cb.menu_open", { count: callbacks.body.total });
  }
}

/** The home's link to /alerts says how many alerts nobody has taken yet, in words. */
async function showOpenAlerts(screen) {
  const open = await load("/api/v1/alerts?status=open&per_page=1");
  if (open.ok && open.body.total > 0) {
    slot(screen, "alerts").textContent = t("alerts.menu_open", { count: open.body.total });
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
