// 应急排查, the assignee's side (volunteers and workers; docs/safety.md): the households given to
// me in open sweeps, each with its address, `tel:` buttons for the household and each resident,
// and what I found — reached and safe, needs help, or not reached; by phone or in person; a note —
// sent through the outbox with the moment it was recorded, so a finding made in a stairwell without
// signal still counts when it was made.

import { handleForm } from "./forms.js";
import { dialable, spokenGroups, t, translate } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { showScreen, slot } from "./screen.js";

const PER_PAGE = 50;

function callLink(phone, key, values = {}) {
  const text = t(key, { ...values, phone: spokenGroups(dialable(phone)) });
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.className = "button button-secondary call-button";
  link.href = `tel:${dialable(phone)}`;
  link.textContent = text;
  item.append(link);
  return item;
}

function namesOf(entry) {
  return entry.residents.map((resident) => resident.address_as).join(t("sweepcheck.name_separator"));
}

function card(entry) {
  const part = document.getElementById("sweep-check-card").content.cloneNode(true);
  for (const placeholder of part.querySelectorAll("[data-include]")) {
    placeholder.replaceWith(document.getElementById(placeholder.dataset.include).content.cloneNode(true));
  }
  // Each card's fields get ids of their own: the error summary links to them.
  for (const element of part.querySelectorAll("[id]")) {
    element.id = `${element.id}-${entry.check_id}`;
  }
  for (const element of part.querySelectorAll("[for]")) {
    element.htmlFor = `${element.htmlFor}-${entry.check_id}`;
  }
  for (const element of part.querySelectorAll("[aria-describedby]")) {
    element.setAttribute("aria-describedby", `${element.getAttribute("aria-describedby")}-${entry.check_id}`);
  }
  translate(part);
  const root = part.firstElementChild;
  const who = namesOf(entry);
  slot(root, "title").textContent = t("sweepcheck.who", { names: who, building: entry.building_label });
  slot(root, "sweep").textContent = t("sweepcheck.sweep", { name: entry.sweep_name });
  slot(root, "address").textContent = t("sweepcheck.address", { address: entry.address });
  const history = [entry.attempts ? t("sweepcheck.tries", { n: entry.attempts }) : "",
    entry.note ? t("sweepcheck.last_note", { note: entry.note }) : ""].filter(Boolean).join(" ");
  slot(root, "history").textContent = history;
  slot(root, "history").hidden = !history;
  const calls = [];
  if (entry.household_phone) {
    calls.push(callLink(entry.household_phone, "sweepcheck.call_household"));
  }
  for (const resident of entry.residents) {
    if (resident.phone) {
      calls.push(callLink(resident.phone, "sweepcheck.call_resident", { name: resident.address_as }));
    }
  }
  slot(root, "calls").replaceChildren(...calls);
  const form = root.querySelector('[data-form="outcome"]');
  slot(root, "form-heading").textContent = t("sweepcheck.form_heading", { names: who });
  const chosen = (name) => form.querySelector(`input[name="${name}"]:checked`)?.value;
  const outcome = slot(root, "outcome");
  const finish = (key) => {
    outcome.textContent = t(key, { n: entry.attempts });
    outcome.hidden = false;
    outcome.focus();
  };
  handleForm(form, {
    labels: () => ({ outcome: t("sweepcheck.outcome"), via: t("sweepcheck.via"), note: t("sweepcheck.note") }),
    check() {
      const problems = {};
      if (!chosen("outcome")) {
        problems.outcome = [t("sweepcheck.missing_outcome")];
      }
      if (!chosen("via")) {
        problems.via = [t("sweepcheck.missing_via")];
      }
      return problems;
    },
    submit: () => queueWrite({
      method: "POST", path: `/api/v1/sweeps/${entry.sweep_id}/checks/${entry.check_id}/outcome`,
      body: { outcome: chosen("outcome"), via: chosen("via"), note: form.elements.note.value.trim() || null,
        occurred_at: new Date().toISOString() },
      label: t("sweepcheck.label", { who }), ownRefusal: true,
    }),
    pending() {
      form.hidden = true;
      finish("sweepcheck.pending");
    },
    done() {
      const found = chosen("outcome");
      if (found === "not_reached") {
        entry.attempts += 1; // still mine: the form stays for the next try
        form.reset();
        slot(root, "history").textContent = t("sweepcheck.tries", { n: entry.attempts });
        slot(root, "history").hidden = false;
        finish("sweepcheck.done_not_reached");
        return;
      }
      form.hidden = true;
      finish(`sweepcheck.done_${found}`);
    },
  });
  return part;
}

/** `/sweep-checks`: the households given to me in open sweeps. */
export async function showSweepChecks(params, options) {
  const screen = showScreen("sweep-checks", "sweepcheck.title", options).firstElementChild;
  const answer = await cachedRead(`/api/v1/me/sweep-assignments?per_page=${PER_PAGE}`);
  if (!answer.ok) {
    slot(screen, "count").textContent = answer.message ?? t("error.network");
    return;
  }
  const { items, total } = answer.body;
  slot(screen, "empty").hidden = items.length > 0;
  slot(screen, "count").textContent = items.length ? t("sweepcheck.count", { total, shown: items.length }) : "";
  slot(screen, "list").replaceChildren(...items.map(card));
}
