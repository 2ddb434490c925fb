// Residents for workers and admins: the searchable list, one resident's record (the server
// records every opening) with its contacts, consents and family proxies, the phone-link code with
// its QR, and signing out a lost phone.

import { api } from "./api.js";
import { clearErrors } from "./errors.js";
import { queueWrite } from "./outbox.js";
import { formatDateTime, language, spokenGroups, t } from "./i18n.js";
import { navigate } from "./router.js";
import { announce, slot } from "./screen.js";
import { handleForm } from "./forms.js";
import { loadAll, pagedList } from "./worker-lists.js";
import { fillFacts, fillList, linkButton, load, workerScreen } from "./worker.js";

const STATUSES = ["active", "away", "in_hospital", "moved_away", "deceased"];
// Proxy consent scopes (DESIGN.md §4), in the order a family would think of them.
export const SCOPES = ["view_status", "request_help", "receive_alerts", "view_visit_summaries", "manage_profile"];
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
  addOptions(slot(screen, "statuses"), STATUSES.map((status) => [status, t(`worker.status.${status}`)]));
  const residents = pagedList(screen, {
    perPage: PER_PAGE, countKey: "worker.residents_found",
    build: (resident) => linkButton(`/worker/residents/${resident.id}`, residentLine(resident)),
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const filters = new URLSearchParams();
    for (const name of ["name", "grid_id", "tag", "status"]) {
      const value = form.elements[name].value.trim();
      if (value) {
        filters.set(name, value);
      }
    }
    // A newer search wins: rows of an older one arriving late are dropped, not mixed in.
    const query = filters.toString();
    return residents.show(query ? `/api/v1/residents?${query}` : "/api/v1/residents");
  });

  // The first page is asked for at once, so any search made later is the newer one and wins.
  const everyone = residents.show("/api/v1/residents");
  const [grids, community] = await Promise.all([loadAll("/api/v1/grids"), load("/api/v1/communities/current")]);
  addOptions(slot(screen, "grids"), grids.items.map((grid) => [grid.id, grid.name]));
  if (community.ok) {
    addOptions(slot(screen, "tags"), community.body.risk_tags.map((tag) => [tag.code, termLabel(tag)]));
  }
  await everyone;
}

/** A button in one row of the record; `onClick(button)` is told which button was tapped. */
function askButton(text, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-secondary";
  button.textContent = text;
  button.addEventListener("click", () => onClick(button));
  return button;
}

function paragraph(text) {
  const line = document.createElement("p");
  line.textContent = text;
  return line;
}

/**
 * Show the resident's record again, fresh from the server, with `message` in the status line and
 * focus on the heading with id `section` (the part that changed), else on the record's own.
 */
export async function backToRecord(residentId, message, section = null) {
  await navigate(`/worker/residents/${residentId}`);
  if (section) {
    document.getElementById(section)?.focus();
  }
  announce(message);
}

/**
 * The record's one confirmation form: it opens under the row whose button was tapped, says what
 * will happen, and on 确定 sends `action` to the API (it needs the network: nothing is queued);
 * then the record is shown again, fresh from the server, with focus on the changed section.
 */
function confirmations(screen, residentId) {
  const form = screen.querySelector('[data-form="confirm"]');
  let action = null;
  let opener = null;
  const close = () => {
    form.hidden = true;
    screen.append(form);
  };
  form.querySelector('[data-action="cancel"]').addEventListener("click", () => {
    close();
    opener?.focus();
  });
  handleForm(form, {
    submit: () => api(action.method, action.path, action.method === "POST" ? {} : undefined),
    done: () => backToRecord(residentId, action.announcement, action.section),
  });
  return (button, next) => {
    action = next;
    opener = button;
    clearErrors(form);
    slot(form, "confirm-heading").textContent = next.question;
    slot(form, "confirm-explain").textContent = next.explain;
    slot(form, "confirm-action").textContent = next.confirm;
    button.closest("li").append(form);
    form.hidden = false;
    slot(form, "confirm-heading").focus();
  };
}

function contactRows(screen, resident, ask) {
  const base = `/worker/residents/${resident.id}`;
  slot(screen, "no-contacts").hidden = resident.emergency_contacts.length > 0;
  fillList(screen, resident.emergency_contacts, (contact) => [
    paragraph(`${contact.name}（${contact.relation}） ${spokenGroups(contact.phone)}`),
    linkButton(`${base}/contacts/${contact.id}`, t("worker.edit_contact_named", { name: contact.name })),
    askButton(t("worker.remove_contact_named", { name: contact.name }), (button) => ask(button, {
      method: "DELETE", path: `/api/v1/residents/${resident.id}/emergency-contacts/${contact.id}`,
      question: t("worker.remove_contact_question", { name: contact.name }),
      explain: t("worker.remove_contact_explain", { name: contact.name }),
      confirm: t("worker.remove_contact"), announcement: t("worker.contact_removed", { name: contact.name }),
      section: "resident-contacts-heading",
    })),
  ], "contacts");
}

/** 「登记进社区居民名册 · 本人 王秀英 同意 · 2026年3月1日记录」, and when it was withdrawn. */
function consentLine(consent) {
  const day = { year: "numeric", month: "long", day: "numeric" };
  const parts = [t(`worker.purpose.${consent.purpose}`),
    t("worker.consent_given", { by: t(`worker.consent_by_${consent.given_by}`), name: consent.giver_name }),
    t("worker.consent_recorded_on", { date: formatDateTime(consent.granted_at, day) })];
  if (consent.withdrawn_at) {
    parts.push(t("worker.consent_withdrawn_on", { date: formatDateTime(consent.withdrawn_at, day) }));
  }
  if (consent.note) {
    parts.push(consent.note);
  }
  return parts.join(" · ");
}

function consentRow(resident, consent, ask) {
  const purpose = t(`worker.purpose.${consent.purpose}`);
  const row = [paragraph(consentLine(consent))];
  if (!consent.withdrawn_at) {
    row.push(askButton(t("worker.withdraw_consent_named", { purpose }), (button) => ask(button, {
      method: "POST", path: `/api/v1/residents/${resident.id}/consents/${consent.id}/withdraw`,
      question: t("worker.withdraw_consent_question", { purpose }),
      explain: t(`worker.withdraw_explain.${consent.purpose}`),
      confirm: t("worker.withdraw_consent"), announcement: t("worker.consent_withdrawn", { purpose }),
      section: "resident-consents-heading",
    })));
  }
  return row;
}

/** A proxy's scopes in words, in the order of SCOPES: 「可以：查看状态、代为求助」. */
function scopesLine(scopes) {
  const held = SCOPES.filter((scope) => scopes.includes(scope));
  return held.length
    ? t("worker.proxy_may", { scopes: held.map((scope) => t(`worker.scope.${scope}`)).join(t("role.separator")) })
    : t("worker.proxy_may_nothing");
}

function proxyRow(resident, link, ask) {
  const name = link.proxy.display_name;
  const who = t(link.is_guardian ? "worker.proxy_entry_guardian" : "worker.proxy_entry",
    { name, relation: link.relation, phone: spokenGroups(link.proxy.phone || "") });
  return [
    paragraph(who), paragraph(scopesLine(link.active_scopes)),
    linkButton(`/worker/residents/${resident.id}/proxies/${link.id}`, t("worker.change_scopes_named", { name })),
    askButton(t("worker.end_proxy_named", { name }), (button) => ask(button, {
      method: "POST", path: `/api/v1/residents/${resident.id}/proxies/${link.id}/end`,
      question: t("worker.end_proxy_question", { name }),
      explain: t("worker.end_proxy_explain", { name, resident: resident.address_as }),
      confirm: t("worker.end_proxy"), announcement: t("worker.proxy_ended", { name }),
      section: "resident-proxies-heading",
    })),
  ];
}

/**
 * `/worker/residents/<id>`: everything the API shows staff (opening it is audit-logged), with
 * the ways to change it: details and status on screens of their own, emergency contacts, consents
 * and family proxies listed with their actions.
 */
export async function showResident([residentId], options) {
  const screen = workerScreen("worker-resident", "worker.resident", options);
  const base = `/worker/residents/${residentId}`;
  slot(screen, "heading").textContent = t("worker.resident");
  for (const [name, path] of [["link-code", "link-code"], ["devices", "devices"], ["edit", "edit"],
    ["change-status", "status"], ["add-contact", "contacts/new"], ["add-consent", "consents/new"],
    ["add-proxy", "proxies/new"], ["check-in", "check-in"]]) {
    slot(screen, name).href = `${base}/${path}`;
  }
  const ask = confirmations(screen, residentId);
  let resident = null;
  const consents = pagedList(screen, {
    list: "consents", more: "more-consents", count: "consents-count", empty: "no-consents",
    countKey: "worker.consents_shown", countAll: false, build: (consent) => consentRow(resident, consent, ask),
  });
  const proxies = pagedList(screen, {
    list: "proxies", more: "more-proxies", count: "proxies-count", empty: "no-proxies",
    countKey: "worker.proxies_shown", countAll: false, build: (link) => proxyRow(resident, link, ask),
  });
  const answer = await load(`/api/v1/residents/${residentId}`);
  if (!answer.ok) {
    return;
  }
  resident = answer.body;
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
    [t("worker.prefers_volunteer_gender"), resident.prefers_volunteer_gender
      ? t(`worker.gender.${resident.prefers_volunteer_gender}`) : null],
    [t("worker.preference_notes"), resident.preference_notes],
    [t("worker.has_account"), t(resident.has_account ? "worker.yes" : "worker.no")],
  ]);
  contactRows(screen, resident, ask);
  await Promise.all([consents.show(`/api/v1/residents/${residentId}/consents`),
    proxies.show(`/api/v1/residents/${residentId}/proxies`)]);
}

/**
 * Title a screen about one resident t(key, {name}) once their record arrives (t(fallbackKey)
 * until then), point its 「back」 link at the record, and resolve to the record's answer.
 */
export function residentHeading(screen, residentId, key, fallbackKey) {
  slot(screen, "back").href = `/worker/residents/${residentId}`;
  // Never an empty heading while the name loads (screen readers announce the h1 at once).
  slot(screen, "heading").textContent = t(fallbackKey);
  return load(`/api/v1/residents/${residentId}`).then((answer) => {
    slot(screen, "heading").textContent = answer.ok ? t(key, { name: answer.body.address_as }) : t(fallbackKey);
    return answer;
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
      label: t("worker.sign_out_label", { label: chosen.label }), ownRefusal: true,
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
