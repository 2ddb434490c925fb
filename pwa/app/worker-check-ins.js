// The daily check-in for the grid's staff (docs/safety.md): today's list — the residents who
// missed their deadline first, with how far the chain has gone, then those still to come, those
// checked in and those not chased — with 「电话确认平安」 for a check-in taken by phone (through
// the outbox, with the moment of the call); and a resident's enrolment, with their consent, or
// its end.

import { api } from "./api.js";
import { explain, handleForm } from "./forms.js";
import { formatTime, t } from "./i18n.js";
import { queueWrite } from "./outbox.js";
import { announce, slot } from "./screen.js";
import { checkedValue, missing } from "./worker-resident-edit.js";
import { residentHeading } from "./worker-residents.js";
import { linkButton, load, workerScreen } from "./worker.js";

const PER_PAGE = 100;

function stateText(entry) {
  if (entry.state === "checked_in") {
    return t(entry.via === "phone_call" ? "worker.checkin.by_phone" : "worker.checkin.by_app",
      { time: formatTime(entry.checked_in_at) });
  }
  if (entry.state === "missed") {
    // No stage yet: the deadline has just passed and the reminder is on its way.
    return t(entry.chain_stage ? `worker.checkin.missed_${entry.chain_stage}` : "worker.checkin.missed",
      { deadline: entry.deadline });
  }
  if (entry.state === "paused") {
    return t("worker.checkin.paused", { status: t(`worker.status.${entry.resident_status}`) });
  }
  return t("worker.checkin.waiting", { deadline: entry.deadline });
}

function card(entry) {
  const part = document.getElementById("worker-check-in-card").content.cloneNode(true);
  const root = part.firstElementChild;
  root.dataset.state = entry.state;
  slot(root, "title").textContent = t("worker.checkin.who", { name: entry.address_as,
    building: entry.building_label, door: entry.door_number });
  const state = slot(root, "state");
  state.textContent = stateText(entry);
  slot(root, "record").replaceChildren(linkButton(`/worker/residents/${entry.resident_id}/check-in`,
    t("worker.checkin.open", { name: entry.address_as })));
  const phoned = slot(root, "phoned");
  if (entry.state !== "missed" && entry.state !== "waiting") {
    phoned.remove();
    return part;
  }
  phoned.textContent = t("worker.checkin.phoned", { name: entry.address_as });
  phoned.addEventListener("click", async () => {
    phoned.disabled = true;
    const moment = new Date();
    const result = await queueWrite({
      method: "POST", path: `/api/v1/residents/${entry.resident_id}/check-in`,
      body: { occurred_at: moment.toISOString() }, ownRefusal: true,
      label: t("worker.checkin.phoned_label", { name: entry.address_as }),
    });
    if (result.state === "failed") {
      phoned.disabled = false;
      announce(result.response?.message ?? t("error.network"));
      return;
    }
    phoned.remove();
    root.dataset.state = "checked_in";
    state.textContent = result.state === "pending"
      ? t("worker.checkin.phoned_pending", { time: formatTime(moment) })
      : t("worker.checkin.by_phone", { time: formatTime(result.response.body.checked_in_at ?? moment) });
    state.focus();
    announce(state.textContent);
  });
  return part;
}

/** `/worker/check-ins`: today's daily check-ins of the worker's grids (an admin's: the community's). */
export async function showCheckIns(params, options) {
  const screen = workerScreen("worker-check-ins", "worker.checkin.title", options);
  const list = slot(screen, "list");
  let page = 1;
  let shown = 0;
  for (;;) {
    const answer = await load(`/api/v1/check-ins/today?page=${page}&per_page=${PER_PAGE}`);
    if (!answer.ok) {
      return;
    }
    if (page === 1) {
      slot(screen, "counts").textContent = t("worker.checkin.counts", answer.body.counts);
      slot(screen, "empty").hidden = answer.body.total > 0;
    }
    for (const entry of answer.body.items) {
      const row = document.createElement("li");
      row.append(card(entry));
      list.append(row);
    }
    shown += answer.body.items.length;
    // Every enrolled resident is listed: nobody missed may hide on a page not asked for.
    if (answer.body.items.length < PER_PAGE || shown >= answer.body.total) {
      return;
    }
    page += 1;
  }
}

function enrolLabels() {
  return { deadline: t("worker.checkin.deadline"), grace_minutes: t("worker.checkin.grace"),
    second_grace_minutes: t("worker.checkin.second_grace"), given_by: t("worker.consent_given_by"),
    giver_name: t("worker.consent_giver_name"), consent_given_by: t("worker.consent_given_by"),
    consent_giver_name: t("worker.consent_giver_name") };
}

function showStatus(screen, status) {
  const enrolled = slot(screen, "enrolled");
  const form = screen.querySelector('[data-form="enrol"]');
  enrolled.hidden = !status.enrolled;
  form.hidden = status.enrolled;
  if (status.enrolled) {
    slot(screen, "enrolled-deadline").textContent = t("worker.checkin.enrolled_deadline", {
      deadline: status.deadline, grace: status.grace_minutes, second: status.second_grace_minutes });
    slot(screen, "enrolled-today").textContent = status.checked_in_today
      ? t("worker.checkin.today_done", { time: formatTime(status.checked_in_at) }) : t("worker.checkin.today_not_yet");
  }
}

/**
 * `/worker/residents/<id>/check-in`: whether the resident checks in every day and today's state;
 * enrol (deadline, the two grace periods, who consented) or end it. Both need the network.
 */
export async function showEnrolment([residentId], options) {
  const screen = workerScreen("worker-check-in-enrolment", "worker.checkin.enrolment", options);
  const path = `/api/v1/residents/${residentId}/check-in`;
  const form = screen.querySelector('[data-form="enrol"]');
  const number = (name) => Number.parseInt(form.elements[name].value, 10);
  handleForm(form, {
    labels: enrolLabels,
    rename: { consent_given_by: "given_by", consent_giver_name: "giver_name" },
    check: () => {
      const problems = missing(form, ["giver_name"], enrolLabels());
      if (!checkedValue(form, "given_by")) {
        problems.given_by = [t("worker.missing_choice", { field: enrolLabels().given_by })];
      }
      return problems;
    },
    submit: () => api("POST", `${path}-enrolment`, {
      deadline: form.elements.deadline.value, grace_minutes: number("grace_minutes"),
      second_grace_minutes: number("second_grace_minutes"),
      consent: { given_by: checkedValue(form, "given_by"), giver_name: form.elements.giver_name.value.trim() },
    }),
    done(answer) {
      showStatus(screen, answer.body);
      slot(screen, "enrolled-heading").focus();
      announce(t("worker.checkin.enrolled_now", { deadline: answer.body.deadline }));
    },
  });
  const end = slot(screen, "end");
  end.addEventListener("click", async () => {
    end.disabled = true;
    const answer = explain(await api("DELETE", `${path}-enrolment`));
    end.disabled = false;
    if (!answer.ok) {
      announce(answer.message);
      return;
    }
    showStatus(screen, answer.body);
    form.querySelector("input")?.focus();
    announce(t("worker.checkin.ended"));
  });
  const [, status] = await Promise.all([
    residentHeading(screen, residentId, "worker.checkin.enrolment_for", "worker.checkin.enrolment"),
    load(path),
  ]);
  if (status.ok) {
    showStatus(screen, status.body);
  }
}
