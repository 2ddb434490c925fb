// 身边的服务: the neighbourhood's canteen, clinic, pharmacy, barber … for residents, their relatives
// (measured from the resident's home), volunteers and workers. Big category buttons, 现在营业, how far,
// and a call button on each service's own screen. Loaded only when someone opens it.

import { fillCall } from "./home.js";
import { formatDateTime, formatTime, t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { showScreen, slot } from "./screen.js";

const PER_PAGE = 20;

function residentOf(subject) {
  return subject.actingFor ? subject.base.split("/").pop() : null;
}

function apiPath(path, subject, params = {}) {
  const query = new URLSearchParams(params);
  const residentId = residentOf(subject);
  if (residentId) {
    query.set("resident_id", residentId);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

function showActingFor(screen, subject) {
  if (subject.actingFor) {
    const banner = slot(screen, "acting-for");
    banner.textContent = t("home.acting_for", { name: subject.name });
    banner.hidden = false;
  }
}

/** "离家 150 米" / "离家 1.2 公里", or nothing when either place is unknown. */
export function distanceWords(km) {
  if (km === null || km === undefined) {
    return "";
  }
  if (km < 1) {
    return t("services.distance_m", { m: Math.max(10, Math.round(km * 100) * 10) });
  }
  return t("services.distance_km", { km: km.toFixed(1) });
}

function nextOpening(service) {
  if (!service.opens_at) {
    return t("services.no_hours");
  }
  const when = formatDateTime(service.opens_at, { weekday: "short", hour: "2-digit", minute: "2-digit" });
  return t("services.opens_at", { when });
}

/** The badge and words for open or closed: ["现在营业", "营业到 13:00"]. */
function openWords(service) {
  if (service.open_now) {
    return [t("services.open_now"), service.closes_at ? t("services.closes_at", { time: formatTime(service.closes_at) }) : ""];
  }
  return [t("services.closed"), nextOpening(service)];
}

function serviceItem(subject, service) {
  const item = document.createElement("li");
  item.className = "request-card";
  const link = document.createElement("a");
  link.className = "request-link service-link";
  link.href = `${subject.base}/services/${service.id}`;
  const name = document.createElement("span");
  name.className = "request-what";
  name.textContent = service.name;
  const [badge, when] = openWords(service);
  const state = document.createElement("span");
  state.className = "request-state";
  const tag = document.createElement("span");
  tag.className = service.open_now ? "message-tag service-open" : "message-tag";
  tag.textContent = badge;
  state.append(tag, " ", when);
  const facts = document.createElement("span");
  facts.className = "request-state";
  facts.textContent = [t(`services.kind_${service.kind}`), distanceWords(service.distance_km),
    t(service.delivers ? "services.delivers" : "services.no_delivery")].filter(Boolean).join(" · ");
  link.append(name, state, facts);
  item.append(link);
  return item;
}

/** `/services`, `/for/<id>/services`: the list, with category buttons and an open-now switch. */
export async function showServices(subject, options) {
  const query = new URLSearchParams(window.location.search);
  const filter = { category: query.get("category") || "", openNow: query.get("open_now") === "true", page: 1 };
  const categories = await cachedRead("/api/v1/providers/categories?per_page=100");
  const screen = showScreen("services", "services.title", options);
  showActingFor(screen, subject);
  slot(screen, "home").href = subject.base || "/";
  const buttons = slot(screen, "categories");
  const choices = [["", t("services.all_categories")],
    ...(categories.ok ? categories.body.items.map((entry) => [entry.code, entry.label]) : [])];
  for (const [code, words] of choices) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.primary = "";
    button.dataset.category = code;
    button.textContent = words;
    button.addEventListener("click", () => {
      filter.category = code;
      filter.page = 1;
      load(screen, subject, filter);
    });
    item.append(button);
    buttons.append(item);
  }
  const openNow = slot(screen, "open-now");
  openNow.checked = filter.openNow;
  openNow.addEventListener("change", () => {
    filter.openNow = openNow.checked;
    filter.page = 1;
    load(screen, subject, filter);
  });
  slot(screen, "more").addEventListener("click", () => {
    filter.page += 1;
    load(screen, subject, filter, { append: true });
  });
  await load(screen, subject, filter);
}

async function load(screen, subject, filter, { append = false } = {}) {
  for (const button of slot(screen, "categories").querySelectorAll("button")) {
    const chosen = button.dataset.category === filter.category;
    button.className = chosen ? "button" : "button button-secondary";
    button.setAttribute("aria-pressed", String(chosen));
  }
  const params = { per_page: String(PER_PAGE), page: String(filter.page) };
  const shown = new URLSearchParams();
  if (filter.category) {
    params.category = filter.category;
    shown.set("category", filter.category);
  }
  if (filter.openNow) {
    params.open_now = "true";
    shown.set("open_now", "true");
  }
  const here = `${window.location.pathname}${shown.toString() ? `?${shown}` : ""}`;
  window.history.replaceState(null, "", here); // Back from a service comes back to this choice
  const answer = await cachedRead(apiPath("/api/v1/providers", subject, params));
  if (!screen.isConnected) {
    return;
  }
  const list = slot(screen, "list");
  const count = slot(screen, "count");
  if (!answer.ok) {
    count.textContent = answer.message;
    return;
  }
  const items = answer.body.items.map((service) => serviceItem(subject, service));
  if (append) {
    list.append(...items);
  } else {
    list.replaceChildren(...items);
  }
  count.textContent = answer.body.total ? t("services.count", { n: answer.body.total }) : t("services.none");
  slot(screen, "more").hidden = list.children.length >= answer.body.total;
}

function hoursLines(hours) {
  const byDay = new Map();
  for (const range of hours) {
    const ranges = byDay.get(range.weekday) || [];
    ranges.push(`${range.start}–${range.end}`);
    byDay.set(range.weekday, ranges);
  }
  return [0, 1, 2, 3, 4, 5, 6].map((day) => `${t(`volunteer.weekday_${day}`)}  ${
    byDay.has(day) ? byDay.get(day).join(t("services.and")) : t("services.day_off")}`);
}

/** `/services/<id>`, `/for/<id>/services/<id>`: one service, with its call button. */
export async function showService(subject, serviceId, options) {
  const answer = await cachedRead(apiPath(`/api/v1/providers/${serviceId}`, subject));
  const screen = showScreen("service", "services.detail_title", options);
  showActingFor(screen, subject);
  slot(screen, "home").href = subject.base || "/";
  slot(screen, "all").href = `${subject.base}/services`;
  if (!answer.ok) {
    slot(screen, "name").textContent = t("services.detail_title");
    slot(screen, "open").textContent = answer.message;
    slot(screen, "details").hidden = true;
    return;
  }
  const service = answer.body;
  slot(screen, "name").textContent = service.name;
  slot(screen, "open").textContent = openWords(service).filter(Boolean).join(t("services.comma"));
  fillCall(slot(screen, "call"), service.phone, t("services.call", { name: service.name }));
  const facts = {
    kind: t(`services.kind_${service.kind}`),
    categories: service.categories.map((category) => category.label).join(t("services.and")),
    distance: distanceWords(service.distance_km),
    delivers: t(service.delivers ? "services.delivers" : "services.no_delivery"),
    prices: service.price_notes || "",
    address: [service.address, service.building_label].filter(Boolean).join(" "),
  };
  for (const [name, text] of Object.entries(facts)) {
    const value = slot(screen, name);
    if (text) {
      value.textContent = text;
    } else {
      value.previousElementSibling.remove();
      value.remove();
    }
  }
  const hours = slot(screen, "hours");
  hours.replaceChildren(...hoursLines(service.hours).map((line) => {
    const item = document.createElement("li");
    item.textContent = line;
    return item;
  }));
}
