// Residents for workers and admins: the searchable list, one resident's record (the server
// records every opening), the phone-link code with its QR, and signing out a lost phone.

import { api } from "./api.js";
import { clearErrors } from "./errors.js";
import { queueWrite } from "./outbox.js";
import { formatDateTime, language, spokenGroups, t } from "./i18n.js";
import { announce, slot } from "./screen.js";
import { handleForm } from "./forms.js";
import { fillFacts, fillList, linkButton, load, workerScreen } from "./worker.js";

const STATUSES = ["active", "away", "in_hospital", "moved_away", "deceased"];
const PER_PAGE = 20;

/** A term ({code, label_zh, label_en}) in the page's language. */
export function termLabel(term) {
  return language() === "en" ? term.label_en : term.label_zh;
}

function addOptions(select, options) {
  for (const [value, text] of options) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = text;
    select.append(option);
  }
}

function residentLine(resident) {
  const parts = [`${resident.family_name}${resident.given_name}（${resident.address_as}）`, resident.building_label,
    t(`worker.status.${resident.status}`)];
  if (resident.tags.length) {
    parts.push(resident.tags.map(termLabel).join(t("role.separator")));
  }
  return parts.join(" · ");
}

/** `/worker/residents`: search by name, filter by grid, tag and status; 「更多」 loads the next page. */
export async function showResidents(params, options) {
  const screen = workerScreen("worker-residents", "worker.residents", options);
  const form = screen.querySelector("form");
  const list = slot(screen, "list");
  const more = slot(screen, "more");
  addOptions(slot(screen, "statuses"), STATUSES.map((status) => [status, t(`worker.status.${status}`)]));
  let page = 1;
  let query = "";
  let search = 0;

  async function fetchPage() {
    // A newer search wins: rows of an older one (e.g. the first, unfiltered page) arriving
    // late are dropped instead of mixed in.
    const mine = search;
    const answer = await load(`/api/v1/residents?${query}&page=${page}&per_page=${PER_PAGE}`);
    if (!answer.ok || mine !== search) {
      return;
    }
    const { items, total } = answer.body;
    for (const resident of items) {
      const item = document.createElement("li");
      item.append(linkButton(`/worker/residents/${resident.id}`, residentLine(resident)));
      list.append(item);
    }
    slot(screen, "count").textContent = t("worker.residents_found", { total, shown: list.children.length });
    more.hidden = list.children.length >= total;
    return items;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const filters = new URLSearchParams();
    for (const name of ["name", "grid_id", "tag", "status"]) {
      const value = form.elements[name].value.trim();
      if (value) {
        filters.set(name, value);
      }
    }
    query = filters.toString();
    page = 1;
    search += 1;
    list.replaceChildren();
    await fetchPage();
  });
  more.addEventListener("click", async () => {
    const before = list.children.length;
    page += 1;
    await fetchPage();
    // The first new row takes focus, so keyboard and screen-reader users continue where they were.
    list.children[before]?.querySelector("a")?.focus();
  });

  const [grids, community] = await Promise.all([load("/api/v1/grids?per_page=100"),
    load("/api/v1/communities/current")]);
  if (grids.ok) {
    addOptions(slot(screen, "grids"), grids.body.items.map((grid) => [grid.id, grid.name]));
  }
  if (community.ok) {
    addOptions(slot(screen, "tags"), community.body.risk_tags.map((tag) => [tag.code, termLabel(tag)]));
  }
  await fetchPage();
}

/** `/worker/residents/<id>`: everything the API shows staff; opening it is audit-logged. */
export async function showResident([residentId], options) {
  const screen = workerScreen("worker-resident", "worker.resident", options);
  slot(screen, "heading").textContent = t("worker.resident");
  slot(screen, "link-code").href = `/worker/residents/${residentId}/link-code`;
  slot(screen, "devices").href = `/worker/residents/${residentId}/devices`;
  const answer = await load(`/api/v1/residents/${residentId}`);
  if (!answer.ok) {
    return;
  }
  const resident = answer.body;
  slot(screen, "heading").textContent = `${resident.family_name}${resident.given_name}（${resident.address_as}）`;
  const household = resident.household || {};
  fillFacts(slot(screen, "facts"), [
    [t("worker.status_label"), t(`worker.status.${resident.status}`)
      + (resident.away_until ? t("worker.away_until", { date: resident.away_until }) : "")],
    [t("worker.gender"), t(`worker.gender.${resident.gender}`)],
    [t("worker.birth_year"), String(resident.birth_year)],
    [t("worker.resident_phone"), resident.phone ? spokenGroups(resident.phone) : null],
    [t("worker.address"), household.address],
    [t("worker.household_phone"), household.phone ? spokenGroups(household.phone) : null],
    [t("worker.tags"), resident.tags.map(termLabel).join(t("role.separator"))],
    [t("worker.languages"), resident.languages.map(termLabel).join(t("role.separator"))],
    [t("worker.preference_notes"), resident.preference_notes],
    [t("worker.has_account"), t(resident.has_account ? "worker.yes" : "worker.no")],
  ]);
  slot(screen, "no-contacts").hidden = resident.emergency_contacts.length > 0;
  fillList(screen, resident.emergency_contacts, (contact) => {
    const text = document.createElement("span");
    text.textContent = `${contact.name}（${contact.relation}） ${spokenGroups(contact.phone)}`;
    return text;
  }, "contacts");
}

function residentHeading(screen, residentId, key, fallbackKey) {
  slot(screen, "back").href = `/worker/residents/${residentId}`;
  // Never an empty heading while the name loads (screen readers announce the h1 at once).
  slot(screen, "heading").textContent = t(fallbackKey);
  return load(`/api/v1/residents/${residentId}`).then((answer) => {
    slot(screen, "heading").textContent = answer.ok ? t(key, { name: answer.body.address_as }) : t(fallbackKey);
  });
}

/**
 * `/worker/residents/<id>/link-code`: issue a one-time code on a tap (a new code revokes the
 * last), then show the QR, the code and its expiry. The QR SVG goes in as an <img> data: URL,
 * so nothing in it can run or reach the page.
 */
export async function showLinkCode([residentId], options) {
  const screen = workerScreen("worker-link-code", "worker.link_phone", options);
  const form = screen;
  residentHeading(screen, residentId, "worker.link_heading", "worker.link_phone");
  handleForm(form, {
    submit: () => api("POST", `/api/v1/residents/${residentId}/link-codes`, {}),
    done(answer) {
      const { code, url, expires_at: expiresAt, qr_svg: svg } = answer.body;
      const image = slot(screen, "qr");
      image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
      image.alt = t("worker.qr_alt");
      slot(screen, "code").textContent = code.replace(/^(.{4})(.{4})$/, "$1 $2");
      slot(screen, "expires").textContent = t("worker.code_expires", { time: formatDateTime(expiresAt) });
      slot(screen, "url").textContent = url;
      slot(screen, "issued").hidden = false;
      slot(screen, "issue").textContent = t("worker.issue_new_code");
      announce(t("worker.code_issued"));
    },
  });
}

function deviceLine(device) {
  const kind = t(device.kind === "linked_phone" ? "worker.device_linked" : "worker.device_session");
  const seen = device.last_seen_at || device.created_at;
  return t("worker.device_entry", { label: device.label, kind, time: formatDateTime(seen) });
}

/** `/worker/residents/<id>/devices`: the resident's phones; sign one out after a confirmation. */
export async function showDevices([residentId], options) {
  const screen = workerScreen("worker-devices", "worker.devices", options);
  const heading = residentHeading(screen, residentId, "worker.devices_heading", "worker.devices");
  const confirm = screen.querySelector('[data-form="sign-out-device"]');
  let chosen = null;

  async function refresh() {
    const answer = await load(`/api/v1/residents/${residentId}/devices?per_page=100`);
    if (!answer.ok) {
      return;
    }
    fillList(screen, answer.body.items, (device) => {
      const text = document.createElement("p");
      text.textContent = deviceLine(device);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button-secondary list-button";
      button.textContent = t("worker.sign_out_device");
      button.addEventListener("click", () => {
        chosen = device;
        clearErrors(confirm);
        slot(confirm, "confirm-heading").textContent = t("worker.sign_out_question", { label: device.label });
        confirm.hidden = false;
        slot(confirm, "confirm-heading").focus();
      });
      return [text, button];
    });
  }

  confirm.querySelector('[data-action="cancel"]').addEventListener("click", () => {
    confirm.hidden = true;
    chosen = null;
    slot(screen, "heading").focus();
  });
  handleForm(confirm, {
    // Through the outbox, so a weak signal does not lose it; while it waits the screen says
    // plainly that the phone can still sign in.
    submit: () => queueWrite({
      method: "POST", path: `/api/v1/residents/${residentId}/devices/sign-out`,
      body: chosen.kind === "linked_phone" ? { device_link_id: chosen.id } : { session_id: chosen.id },
      label: t("worker.sign_out_label", { label: chosen.label }),
    }),
    pending() {
      confirm.hidden = true;
      slot(screen, "heading").focus();
      announce(t("worker.sign_out_pending"));
    },
    async done() {
      confirm.hidden = true;
      await refresh();
      slot(screen, "heading").focus();
      announce(t("worker.signed_out_device"));
    },
  });
  await Promise.all([heading, refresh()]);
}
