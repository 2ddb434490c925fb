// A worker's help requests: the list of those that need them (nobody took it after every wave,
// nobody could be offered it, done but never confirmed, taken), and one request — its state in
// plain words, the ranked candidates with their reasons, assigning or reassigning (after a
// confirmation), a no-show, confirming on the resident's behalf, and the timeline. Writes go
// through the outbox: offline the tap is kept and sent later; a refusal shows in its form.

import { callItem, waited } from "./alerts.js";
import { handleForm } from "./forms.js";
import { formatDateTime, t } from "./i18n.js";
import { pendingItems, queueWrite } from "./outbox.js";
import { categoryLabels, whenWords } from "./requests.js";
import { announce, slot } from "./screen.js";
import { signedInUser } from "./session.js";
import { pagedList } from "./worker-lists.js";
import { fillFacts, load, workerScreen } from "./worker.js";

const SEEKING = new Set(["open", "offered", "escalated"]);
const CANCELLABLE = new Set([...SEEKING, "accepted"]); // DESIGN.md §4
// Reasons the system gives (escalation, expiry); people's reasons are their own words.
const REASON_CODES = new Set(["last_wave_closed", "no_more_candidates", "window_passed", "nobody_took_it"]);

const subjectOf = (request) => `${request.resident.address_as} · ${request.resident.building_label}`;
const whatOf = (request, names) => `${names[request.category] || request.category} · ${whenWords(request)}`;

function entryText(request, names) {
  const values = { what: whatOf(request, names), subject: subjectOf(request), wait: waited(request.created_at),
    name: request.volunteer?.display_name ?? request.provider?.name ?? "" };
  return t(`worker.req.entry_${request.status}`, values);
}

/** `/worker/requests`: what needs the worker first (escalated, then unmatched), then the rest. */
export async function showWorkerRequests(params, options) {
  const screen = workerScreen("worker-requests", "worker.req.list_title", options);
  const names = await categoryLabels();
  const sections = ["escalated", "open", "completed", "accepted"].map((status) => ({
    status,
    list: pagedList(screen, {
      perPage: 20, countKey: "worker.req.shown", countAll: false,
      list: `${status}-list`, more: `${status}-more`, count: `${status}-count`, empty: `${status}-empty`,
      build(request) {
        const link = document.createElement("a");
        link.className = "button button-secondary list-button";
        link.href = `/worker/requests/${request.id}`;
        link.textContent = entryText(request, names);
        return link;
      },
    }),
  }));
  // What needs the worker comes oldest first (an open request only when no wave of it is to come);
  // the rest newest first.
  const query = { escalated: "&needs_worker=true&order=oldest", open: "&needs_worker=true&order=oldest" };
  await Promise.all(sections.map(({ status, list }) => list.show(`/api/v1/help-requests?status=${status}${query[status] ?? ""}`)));
}

function stateText(request) {
  const name = request.volunteer?.display_name ?? request.provider?.name ?? t("worker.req.a_volunteer");
  const time = { accepted: request.accepted_at, in_progress: request.checked_in_at, completed: request.checked_out_at,
    confirmed: request.confirmed_at }[request.status];
  return t(`worker.req.state_${request.status}`, { name, wait: waited(request.created_at),
    time: time ? formatDateTime(time) : "", rating: request.rating ?? "" });
}

function stepText(step, volunteers) {
  const data = step.data ?? {};
  const key = step.event === "offered" && data.batch_plan ? "worker.req.step_offered_plan" : `worker.req.step_${step.event}`;
  const text = t(key, {
    actor: step.actor?.display_name ?? t("worker.req.system"),
    volunteer: step.volunteer?.display_name ?? volunteers.get(data.volunteer_id ?? data.volunteer_ids?.[0])
      ?? t("worker.req.a_volunteer"),
    wave: data.wave ?? "", count: data.volunteer_ids?.length ?? 0,
  });
  if (!step.reason) {
    return text;
  }
  const reason = REASON_CODES.has(step.reason) ? t(`worker.req.reason_${step.reason}`) : step.reason;
  return `${text}${t("worker.req.reason", { reason })}`;
}

function fillTimeline(list, steps, volunteers) {
  list.replaceChildren(...steps.map((step) => {
    const item = document.createElement("li");
    const when = document.createElement("span");
    when.className = "timeline-time";
    when.textContent = formatDateTime(step.occurred_at);
    item.append(when, " ", stepText(step, volunteers));
    return item;
  }));
}

function line(text, className = "") {
  const paragraph = document.createElement("p");
  paragraph.className = className;
  paragraph.textContent = text;
  return paragraph;
}

function candidateItem(candidate, rank, invitedWave, reassigning, choose) {
  const item = document.createElement("li");
  item.className = "candidate";
  item.append(line(t("worker.req.candidate", { rank, name: candidate.name }), "candidate-name"), line(candidate.reasons));
  if (invitedWave) {
    item.append(line(t("worker.req.invited", { wave: invitedWave })));
  }
  item.append(assignButton(candidate, item, reassigning, choose));
  return item;
}

function assignButton(candidate, item, reassigning, choose) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.textContent = t(reassigning ? "worker.req.reassign_to" : "worker.req.assign_to", { name: candidate.name });
  button.addEventListener("click", () => choose(candidate, item));
  return button;
}

/**
 * One of the community's volunteers, for a request the ranking has nobody for (category other
 * goes to the worker by hand): their phone, to ask first, and the same 派给.
 */
function volunteerItem(volunteer, request, choose) {
  const item = document.createElement("article");
  item.className = "candidate";
  const candidate = { volunteer_id: volunteer.id, name: volunteer.display_name };
  item.append(line(volunteer.display_name, "candidate-name"));
  if (volunteer.phone) {
    const calls = document.createElement("ul");
    calls.className = "worker-menu";
    calls.append(callItem(volunteer.phone, t("worker.req.call_volunteer", { name: volunteer.display_name })));
    item.append(calls);
  }
  item.append(volunteer.id === request.volunteer_id ? line(t("worker.req.holds_it"))
    : assignButton(candidate, item, request.status === "accepted", choose));
  return item;
}

/** `/worker/requests/<id>`: one request, who could take it and why, and what the worker may do. */
export async function showWorkerRequest([requestId], options) {
  const screen = workerScreen("worker-request", "worker.req.title", options);
  slot(screen, "heading").textContent = t("worker.req.title");
  const me = signedInUser();
  const path = `/api/v1/help-requests/${requestId}`;
  const forms = Object.fromEntries(["assign", "no-show", "cancel", "confirm"].map((name) => [name, screen.querySelector(`[data-form="${name}"]`)]));
  const volunteers = new Map(); // volunteer id → name, for the timeline (its steps carry ids only)
  let names = {};
  let request = null;
  let ranking = null;
  let chosen = null;
  const others = pagedList(screen, {
    perPage: 20, countKey: "worker.req.others_shown", countAll: false, list: "others", more: "others-more", count: "others-count",
    build: (volunteer) => volunteerItem(volunteer, request, choose),
  });

  const waiting = () => pendingItems(me.id).find((item) => item.path.startsWith(`${path}/`));
  function render({ keepForm = null } = {}) {
    const status = request.status;
    slot(screen, "heading").textContent = whatOf(request, names);
    slot(screen, "who").textContent = request.urgency === "urgent"
      ? t("worker.req.urgent", { subject: subjectOf(request) }) : subjectOf(request);
    slot(screen, "state").textContent = stateText(request);
    fillFacts(slot(screen, "facts"), [
      [t("worker.req.description"), request.description],
      [t("worker.req.asked_by"), request.created_by?.display_name],
      [t("worker.req.asked_at"), formatDateTime(request.created_at)],
      [t("worker.req.volunteer"), request.volunteer?.display_name],
      [t("worker.req.far"), request.check_in_far ? t("worker.req.far_yes") : null],
      [t("worker.req.hours"), request.hours ?? null],
      [t("worker.req.comment"), request.comment],
    ]);
    if (request.resident_id) {
      slot(screen, "resident-item").hidden = false;
      slot(screen, "resident").href = `/worker/residents/${request.resident_id}`;
    }
    // A low rating opened a call-back (回访): its notification leads here, the call-back list is one tap on.
    slot(screen, "callback-item").hidden = !(request.status === "confirmed" && request.rating <= 2);
    if (request.volunteer) {
      volunteers.set(request.volunteer.id, request.volunteer.display_name);
    }
    const pending = waiting();
    const note = slot(screen, "pending");
    note.hidden = !pending;
    note.textContent = pending ? t("worker.req.pending", { what: pending.label }) : "";
    const reassigning = status === "accepted";
    const section = slot(screen, "candidates-section");
    section.hidden = Boolean(pending) || !(SEEKING.has(status) || reassigning) || !ranking;
    section.after(forms.assign); // out of the lists before they are rebuilt (choose() moves it in)
    if (ranking) {
      const latest = ranking.latest_dispatch;
      const shown = ranking.candidates.filter((candidate) => candidate.volunteer_id !== request.volunteer_id);
      slot(screen, "candidates-heading").textContent = t(reassigning ? "worker.req.reassign_heading" : "worker.req.candidates_heading");
      const explain = slot(screen, "candidates-explain");
      explain.textContent = t("worker.req.candidates_explain");
      explain.hidden = !shown.length;
      const empty = slot(screen, "candidates-empty");
      empty.hidden = shown.length > 0;
      empty.textContent = t(request.category === "other" ? "worker.req.goes_to_worker" : "worker.req.no_candidates");
      slot(screen, "others-section").hidden = shown.length > 0;
      if (!shown.length) {
        others.show("/api/v1/volunteers?status=active");
      }
      slot(screen, "candidates").replaceChildren(...shown.map((candidate, index) => candidateItem(candidate, index + 1,
        latest?.offered_volunteer_ids?.includes(candidate.volunteer_id) ? latest.wave : null, reassigning, choose)));
    }
    forms.assign.hidden = keepForm !== "assign" && (section.hidden || !chosen);
    slot(screen, "no-show-section").hidden = Boolean(pending) || status !== "accepted";
    forms["no-show"].hidden = keepForm !== "no-show" && (status !== "accepted" || forms["no-show"].hidden);
    slot(screen, "no-show-open").setAttribute("aria-expanded", String(!forms["no-show"].hidden));
    slot(screen, "cancel-section").hidden = Boolean(pending) || !CANCELLABLE.has(status);
    forms.cancel.hidden = keepForm !== "cancel" && (!CANCELLABLE.has(status) || forms.cancel.hidden);
    slot(screen, "cancel-open").setAttribute("aria-expanded", String(!forms.cancel.hidden));
    forms.confirm.hidden = keepForm !== "confirm" && (Boolean(pending) || status !== "completed");
    fillTimeline(slot(screen, "timeline"), request.timeline ?? [], volunteers);
  }

  /** The confirmation opens under the candidate chosen, its heading focused. */
  function choose(candidate, item) {
    chosen = candidate;
    item.append(forms.assign);
    const reassigning = request.status === "accepted";
    const values = { name: candidate.name, previous: request.volunteer?.display_name ?? "" };
    slot(screen, "assign-heading").textContent = t(reassigning ? "worker.req.reassign_ask" : "worker.req.assign_ask", values);
    slot(screen, "assign-explain").textContent = t(reassigning ? "worker.req.reassign_explain" : "worker.req.assign_explain", values);
    slot(screen, "assign-send").textContent = t(reassigning ? "worker.req.reassign_send" : "worker.req.assign_send", values);
    slot(screen, "assign-reason").hidden = !reassigning;
    forms.assign.hidden = false;
    slot(screen, "assign-heading").focus();
  }

  async function refresh(answer = null) {
    const fresh = answer?.body?.timeline ? answer : await load(path);
    if (!fresh.ok) {
      return;
    }
    request = fresh.body;
    const candidates = SEEKING.has(request.status) || request.status === "accepted"
      ? await load(`${path}/candidates`) : null;
    ranking = candidates?.ok ? candidates.body : null;
    for (const candidate of ranking?.candidates ?? []) {
      volunteers.set(candidate.volunteer_id, candidate.name);
    }
  }

  /** One write of `name`'s form, the refusal kept beside the request as it is now. */
  function wire(name, { body, label, done, check, labels }) {
    handleForm(forms[name], {
      check, labels,
      async submit() {
        const report = await queueWrite({ method: "POST", path: `${path}/${name === "assign" && request.status === "accepted" ? "reassign" : name}`,
          body: body(), label: label(), ownRefusal: true });
        if (report.state === "failed") {
          await refresh();
          chosen = null;
          render({ keepForm: name });
        }
        return report;
      },
      pending() {
        chosen = null;
        render();
        slot(screen, "pending").focus();
      },
      async done(answer) {
        const message = done();
        chosen = null;
        await refresh(answer);
        forms[name].reset();
        render();
        slot(screen, "state").focus();
        announce(message);
      },
    });
  }
  const what = () => `${whatOf(request, names)} · ${subjectOf(request)}`;
  wire("assign", {
    body() {
      const reason = forms.assign.elements.reason.value.trim();
      return request.status === "accepted" && reason ? { volunteer_id: chosen.volunteer_id, reason }
        : { volunteer_id: chosen.volunteer_id };
    },
    label: () => t("worker.req.assign_label", { name: chosen.name, what: what() }),
    done: () => t("worker.req.assigned", { name: chosen.name }),
  });
  wire("no-show", {
    body() {
      const reason = forms["no-show"].elements.reason.value.trim();
      return reason ? { reason } : {};
    },
    label: () => t("worker.req.no_show_label", { what: what() }),
    done: () => t("worker.req.no_show_done"),
  });
  wire("cancel", {
    labels: () => ({ reason: t("worker.req.cancel_reason") }),
    body() {
      const reason = forms.cancel.elements.reason.value.trim();
      return reason ? { reason } : {};
    },
    label: () => t("worker.req.cancel_label", { what: what() }),
    done: () => t("worker.req.cancel_done"),
  });
  wire("confirm", {
    check: () => ({
      ...(forms.confirm.elements.rating.value ? {} : { rating: [t("worker.req.missing_rating")] }),
      ...(forms.confirm.elements.comment.value.trim() ? {} : { comment: [t("worker.req.missing_note")] }),
    }),
    labels: () => ({ rating: t("worker.req.rating"), comment: t("worker.req.comment") }),
    body() {
      const comment = forms.confirm.elements.comment.value.trim();
      return { rating: Number(forms.confirm.elements.rating.value), ...(comment ? { comment } : {}) };
    },
    label: () => t("worker.req.confirm_label", { what: what() }),
    done: () => t("worker.req.confirmed"),
  });
  slot(screen, "assign-keep").addEventListener("click", () => {
    chosen = null;
    forms.assign.hidden = true;
    slot(screen, "candidates-heading").focus();
  });
  // 报告志愿者没有来 and 替居民取消 each open their small form under the button.
  for (const name of ["no-show", "cancel"]) {
    const opener = slot(screen, `${name}-open`);
    opener.addEventListener("click", () => {
      const opening = forms[name].hidden;
      forms[name].hidden = !opening;
      opener.setAttribute("aria-expanded", String(opening));
      if (opening) {
        forms[name].elements.reason.focus();
      }
    });
  }

  [names] = await Promise.all([categoryLabels(), refresh()]);
  if (request) {
    render();
  }
}
