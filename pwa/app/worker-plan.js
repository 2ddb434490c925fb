// 明天的安排 (docs/batch_plans.md): the worker plans tomorrow's held tasks of their grids in one go,
// reads each proposal with its reasons and what first come, first served would have done, changes
// the assignee (one of the task's candidates — a volunteer, or a worker for a kind workers may take —
// or nobody: the waves), and sends the plan.
// Planning, changing and sending need the network: each is one answer the worker waits for.

import { api } from "./api.js";
import { handleForm } from "./forms.js";
import { formatDateTime, t, translate } from "./i18n.js";
import { announce, slot } from "./screen.js";
import { load, workerScreen } from "./worker.js";

const ZONE = "Asia/Shanghai";
const DAY_MS = 24 * 60 * 60 * 1000;

/** Tomorrow's date in the community's time zone, as the API wants it (YYYY-MM-DD). */
function tomorrow() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" })
    .formatToParts(new Date(Date.now() + DAY_MS));
  const value = (type) => parts.find((part) => part.type === type).value;
  return `${value("year")}-${value("month")}-${value("day")}`;
}

const score = (value) => (value ?? 0).toFixed(2);

function summaryText(plan) {
  const gained = plan.proposed_matched - plan.fcfs_matched;
  const words = [t("worker.plan.summary", { requests: plan.requests, matched: plan.matched, fcfs: plan.fcfs_matched })];
  if (plan.requests > 0) {
    words.push(t(gained > 0 ? "worker.plan.gain_more" : "worker.plan.gain_same", { gained }));
    words.push(t("worker.plan.scores", { total: score(plan.total_score), fcfs: score(plan.fcfs_total_score) }));
  }
  return words.join(" ");
}

function outcomeText(item) {
  if (item.outcome === "offered" || item.outcome === "assigned") {
    return t(`worker.plan.outcome_${item.outcome}`, { name: item.assignee_name ?? "" });
  }
  if (item.outcome === "waves") {
    return t("worker.plan.outcome_waves");
  }
  return t("worker.plan.outcome_skipped", { status: t(`worker.plan.changed_${item.outcome_reason}`) });
}

/** A candidate's (or the proposal's) option value: "volunteer:12" or "worker:7". */
function assigneeValue(entry) {
  return entry.assignee === "worker" ? `worker:${entry.worker_id}` : `volunteer:${entry.volunteer_id}`;
}

/** The PATCH body for an option value ("" is nobody: the waves). */
function assigneeBody(value) {
  if (!value) {
    return { volunteer_id: null };
  }
  const [kind, id] = value.split(":");
  return kind === "worker" ? { worker_id: Number(id) } : { volunteer_id: Number(id) };
}

function itemCard(screen, plan, item) {
  const part = document.getElementById("worker-plan-item").content.cloneNode(true);
  part.querySelector("[data-include]").replaceWith(document.getElementById("error-summary").content.cloneNode(true));
  translate(part);
  const root = part.firstElementChild;
  const prefix = `worker-plan-${item.id}`;
  slot(root, "title").textContent = `${item.category_label} · ${item.when}`;
  slot(root, "title").id = `${prefix}-title`;
  slot(root, "who").textContent = `${item.address_as} · ${item.building_label}`;
  slot(root, "proposed").textContent = item.assignee
    ? t("worker.plan.proposed", { name: item.assignee_name ?? "", reasons: item.reasons })
    : t(item.edited_by_id ? "worker.plan.nobody_chosen" : "worker.plan.nobody");
  slot(root, "fcfs").textContent = item.fcfs_volunteer_id || item.fcfs_worker_id
    ? t("worker.plan.fcfs_would", { name: item.fcfs_assignee_name ?? "" })
    : t("worker.plan.fcfs_nobody");
  const form = root.querySelector('[data-form="change"]');
  const outcome = slot(root, "outcome");
  if (plan.status !== "draft") {
    form.remove();
    if (item.outcome) {
      outcome.hidden = false;
      outcome.textContent = outcomeText(item);
    }
    return part;
  }
  const choice = form.elements.volunteer;
  choice.id = `${prefix}-volunteer`;
  slot(root, "volunteer-label").htmlFor = choice.id;
  slot(root, "volunteer-error").id = `${prefix}-error`;
  const options = item.candidates.map((candidate) => {
    const option = document.createElement("option");
    option.value = assigneeValue(candidate);
    option.textContent = `${candidate.name} · ${candidate.reasons}`;
    return option;
  });
  const nobody = document.createElement("option");
  nobody.value = "";
  nobody.textContent = t("worker.plan.choose_nobody");
  choice.replaceChildren(...options, nobody);
  choice.value = item.assignee ? assigneeValue(item) : "";
  handleForm(form, {
    labels: () => ({ volunteer_id: t("worker.plan.change_label"), worker_id: t("worker.plan.change_label") }),
    rename: { volunteer_id: "volunteer", worker_id: "volunteer" },
    submit: () => api("PATCH", `/api/v1/batch-plans/${plan.id}/items/${item.id}`, assigneeBody(choice.value)),
    async done(answer) {
      const changed = answer.body;
      announce(changed.assignee ? t("worker.plan.changed_to", { name: changed.assignee_name ?? "" })
        : t("worker.plan.changed_nobody"));
      await refresh(screen, plan.id, `${prefix}-title`);
    },
  });
  return part;
}

function render(screen, plan) {
  slot(screen, "plan").hidden = false;
  slot(screen, "state").textContent = t(`worker.plan.state_${plan.status}`, {
    time: plan.sent_at ? formatDateTime(plan.sent_at) : "" });
  slot(screen, "summary").textContent = summaryText(plan);
  slot(screen, "empty").hidden = plan.requests > 0;
  const list = slot(screen, "items");
  list.replaceChildren(...(plan.items ?? []).map((item) => {
    const entry = document.createElement("li");
    entry.append(itemCard(screen, plan, item));
    return entry;
  }));
  const send = screen.querySelector('[data-form="send"]');
  send.hidden = plan.status !== "draft" || plan.requests === 0;
  send.dataset.planId = String(plan.id);
  slot(screen, "make-again").hidden = plan.status === "draft";
}

async function refresh(screen, planId, focusId) {
  const answer = await load(`/api/v1/batch-plans/${planId}`);
  if (answer.ok) {
    render(screen, answer.body);
    if (focusId) {
      document.getElementById(focusId)?.focus();
    }
  }
  return answer;
}

function sentText(plan) {
  const count = (outcome) => plan.items.filter((item) => item.outcome === outcome).length;
  const words = t("worker.plan.sent", { offered: count("offered"), waves: count("waves"), skipped: count("skipped") });
  const assigned = count("assigned");
  return assigned ? `${words} ${t("worker.plan.sent_assigned", { assigned })}` : words;
}

/** `/worker/plan`: tomorrow's plan of the worker's grids (an admin's: the community's). */
export async function showPlanTomorrow(params, options) {
  const screen = workerScreen("worker-plan", "worker.plan.title", options);
  const day = tomorrow();
  slot(screen, "date").textContent = t("worker.plan.date", {
    date: formatDateTime(`${day}T12:00:00+08:00`, { month: "long", day: "numeric", weekday: "long" }) });
  handleForm(screen.querySelector('[data-form="make"]'), {
    busyText: () => t("worker.plan.planning"),
    submit: () => api("POST", "/api/v1/batch-plans", { date: day }),
    done(answer) {
      render(screen, answer.body);
      announce(summaryText(answer.body));
      slot(screen, "plan-heading").focus();
    },
  });
  const sendForm = screen.querySelector('[data-form="send"]');
  handleForm(sendForm, {
    busyText: () => t("worker.plan.sending"),
    submit: () => api("POST", `/api/v1/batch-plans/${sendForm.dataset.planId}/send`),
    done(answer) {
      render(screen, answer.body);
      announce(sentText(answer.body));
      slot(screen, "state").focus();
    },
  });
  const listed = await load(`/api/v1/batch-plans?date=${day}&per_page=5`);
  const latest = listed.ok ? listed.body.items.find((plan) => plan.status !== "discarded") : null;
  if (latest) {
    await refresh(screen, latest.id);
  }
}
