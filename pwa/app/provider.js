// The provider home: the provider's name and phone; incoming requests (接单 / 这次不行) and the
// orders it took, with the delivery address, a call button and 已完成 (docs/providers.md,
// "Requests to providers"). Answers need the network: first accept wins, and a full day or
// another taker is said at once.

import { api } from "./api.js";
import { formatDateTime, spokenGroups, t, translate } from "./i18n.js";
import { wireElderSwitch } from "./home.js";
import { announce, showScreen, slot } from "./screen.js";

function whenWords(offer) {
  return offer.asap ? t("req.asap") : formatDateTime(offer.window_start);
}

function line(className, text) {
  const element = document.createElement("p");
  element.className = className;
  element.textContent = text;
  return element;
}

function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now() + Math.random());
}

function card(templateId, offer) {
  const item = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
  translate(item);
  const headingId = `${templateId}-${offer.id}-heading`;
  item.setAttribute("aria-labelledby", headingId);
  const heading = item.querySelector("[data-slot=title]");
  heading.id = headingId;
  heading.textContent = `${offer.category_label} · ${whenWords(offer)}`;
  const facts = item.querySelector("[data-slot=facts]");
  if (offer.urgency === "urgent") {
    facts.append(line("offer-urgent", t("offer.urgent")));
  }
  facts.append(line("offer-place", t("provider.place", { name: offer.address_as, building: offer.building_label })));
  if (offer.distance_km !== null && offer.distance_km !== undefined) {
    facts.append(line("offer-distance", t("offer.distance", { km: offer.distance_km.toFixed(1) })));
  }
  return item;
}

function finish(item, text) {
  item.querySelector("[data-slot=actions]").remove();
  const outcome = item.querySelector("[data-slot=outcome]");
  outcome.textContent = text;
  outcome.hidden = false;
  outcome.focus();
}

function failureText(answer) {
  if (answer.reason === "task_already_taken" || answer.reason === "offer_closed") {
    return t("provider.taken_by_other");
  }
  if (answer.reason === "provider_at_capacity") {
    return t("provider.full");
  }
  return answer.status === 0 ? t("provider.failed") : answer.message || t("provider.failed");
}

/** One button's request, once at a time; `done(answer)` on success. */
function wire(item, button, path, done) {
  let busy = false;
  button.addEventListener("click", async () => {
    if (busy) {
      return;
    }
    busy = true;
    button.setAttribute("aria-disabled", "true");
    announce(t("forms.busy"));
    const answer = await api("POST", path, {}, { headers: { "Idempotency-Key": newKey() } });
    busy = false;
    button.removeAttribute("aria-disabled");
    announce("");
    if (answer.ok) {
      await done(answer.body);
    } else if (answer.status === 0 || answer.status >= 500) {
      announce(failureText(answer));
    } else {
      finish(item, failureText(answer));
    }
  });
}

function offerCard(screen, offer) {
  const item = card("provider-offer-card", offer);
  wire(item, item.querySelector("[data-action=accept]"), `/api/v1/offers/${offer.id}/accept`, async () => {
    finish(item, t("provider.accepted"));
    await loadTaken(screen);
  });
  wire(item, item.querySelector("[data-action=decline]"), `/api/v1/offers/${offer.id}/decline`, () => {
    finish(item, t("provider.declined"));
  });
  return item;
}

function orderCard(offer) {
  const item = card("provider-order-card", offer);
  const facts = item.querySelector("[data-slot=facts]");
  const contact = offer.contact || {};
  if (contact.address) {
    facts.append(line("order-address", t("provider.address", { address: contact.address })));
  }
  if (offer.description) {
    facts.append(line("order-note", t("provider.note", { note: offer.description })));
  }
  const phone = contact.phone || contact.household_phone;
  const call = item.querySelector("[data-slot=call]");
  if (phone) {
    call.href = `tel:${phone}`;
    const number = document.createElement("span");
    number.className = "phone";
    number.textContent = spokenGroups(phone);
    call.append(t("provider.call", { name: offer.address_as }), " ", number);
  } else {
    item.querySelector("[data-slot=call-line]").remove();
  }
  wire(item, item.querySelector("[data-action=done]"), `/api/v1/offers/${offer.id}/complete`, () => {
    finish(item, t("provider.finished"));
  });
  return item;
}

async function loadOffers(screen) {
  const answer = await api("GET", "/api/v1/offers?state=open&per_page=50");
  if (!answer.ok) {
    return false;  // an account linked to no provider yet keeps the placeholder
  }
  slot(screen, "unlinked").hidden = true;
  const items = answer.body.items || [];
  slot(screen, "no-offers").hidden = items.length > 0;
  slot(screen, "offers").replaceChildren(...items.map((offer) => offerCard(screen, offer)));
  return true;
}

async function loadTaken(screen) {
  const answer = await api("GET", "/api/v1/offers?state=taken&per_page=50");
  if (!answer.ok) {
    return;
  }
  const items = answer.body.items || [];
  slot(screen, "taken-part").hidden = false;
  slot(screen, "no-taken").hidden = items.length > 0;
  slot(screen, "taken").replaceChildren(...items.map(orderCard));
}

/** `/` for a service provider (canteen, clinic, repair shop). */
export function showProviderHome(user, options) {
  const screen = showScreen("provider-home", "provider.title", options);
  wireElderSwitch(screen);
  slot(screen, "greeting").textContent = t("home.greeting", { name: user.display_name });
  slot(screen, "name").textContent = user.display_name;
  const phone = document.createElement("span");
  phone.className = "phone";
  phone.textContent = spokenGroups(user.phone || "");
  slot(screen, "phone").replaceChildren(phone);
  loadOffers(screen).then((linked) => (linked ? loadTaken(screen) : null));
}
