// The volunteer's offers on their home: what, when, where (the building or area, never the door),
// how far and why them; 接单 (needs the network: first accept wins, and a second one learns at once
// that 已被其他志愿者接单) or 这次不行 with an optional reason (kept by the outbox if offline).

import { api } from "./api.js";
import { formatDateTime, t, translate } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { navigate } from "./router.js";
import { announce } from "./screen.js";

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

function offerCard(offer) {
  const card = document.getElementById("offer-card").content.firstElementChild.cloneNode(true);
  translate(card);
  const headingId = `offer-${offer.id}-heading`;
  card.setAttribute("aria-labelledby", headingId);
  const heading = card.querySelector("[data-slot=title]");
  heading.id = headingId;
  heading.textContent = `${offer.category_label} · ${whenWords(offer)}`;
  const facts = card.querySelector("[data-slot=facts]");
  if (offer.urgency === "urgent") {
    facts.append(line("offer-urgent", t("offer.urgent")));
  }
  facts.append(line("offer-place", t("offer.place", { name: offer.address_as, building: offer.building_label })));
  if (offer.distance_km !== null && offer.distance_km !== undefined) {
    facts.append(line("offer-distance", t("offer.distance", { km: offer.distance_km.toFixed(1) })));
  }
  if (offer.reasons) {
    facts.append(line("offer-reasons", t("offer.reasons", { reasons: offer.reasons })));
  }
  const outcome = card.querySelector("[data-slot=outcome]");
  const actions = card.querySelector("[data-slot=actions]");
  const accept = card.querySelector("[data-action=accept]");
  const decline = card.querySelector("[data-action=decline]");
  const form = card.querySelector("[data-form=decline]");
  const reasonId = `offer-${offer.id}-reason`;
  form.querySelector("label").htmlFor = reasonId;
  form.elements.reason.id = reasonId;
  const finish = (text) => {
    actions.remove();
    form.remove();
    outcome.textContent = text;
    outcome.hidden = false;
    outcome.focus();
  };
  let busy = false;
  accept.addEventListener("click", async () => {
    if (busy) {
      return;
    }
    busy = true;
    accept.setAttribute("aria-disabled", "true");
    announce(t("forms.busy"));
    const answer = await api("POST", `/api/v1/offers/${offer.id}/accept`, {}, { headers: { "Idempotency-Key": newKey() } });
    busy = false;
    accept.removeAttribute("aria-disabled");
    announce("");
    if (answer.ok) {
      await navigate(`/tasks/${offer.help_request_id}`);
      announce(t("offer.accepted"));
      return;
    }
    if (answer.reason === "task_already_taken") {
      finish(t("offer.taken"));
    } else if (answer.status === 0) {
      outcome.textContent = t("forms.needs_network");
      outcome.hidden = false;
    } else {
      finish(answer.message);
    }
  });
  decline.addEventListener("click", () => {
    form.hidden = false;
    decline.setAttribute("aria-expanded", "true");
    form.elements.reason.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    const reason = form.elements.reason.value.trim();
    const result = await queueWrite({ method: "POST", path: `/api/v1/offers/${offer.id}/decline`,
      body: reason ? { reason } : {}, label: t("offer.decline_label"), ownRefusal: true });
    busy = false;
    if (result.state === "failed" && result.response.reason !== "invalid_transition") {
      outcome.textContent = result.response.message;
      outcome.hidden = false;
      return;
    }
    finish(t(result.state === "pending" ? "outbox.saved_pending" : "offer.declined"));
  });
  return card;
}

/** Fill the volunteer home's 可接任务 section from GET /offers. */
export async function fillOffers(section) {
  const answer = await cachedRead("/api/v1/offers?per_page=50");
  if (!section.isConnected) {
    return;
  }
  const empty = section.querySelector("[data-slot=offers-empty]");
  if (!answer.ok) {
    empty.textContent = answer.message;
    return;
  }
  const offers = answer.body.items;
  empty.textContent = t("offer.none");
  empty.hidden = offers.length > 0;
  section.querySelector("[data-slot=offer-list]").replaceChildren(...offers.map(offerCard));
}
