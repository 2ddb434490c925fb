// Alerts for workers and admins: the list (what nobody has taken yet first, under its own heading
// and in words, with the time it has waited) and one alert — what happened, whom to call, the
// timeline, 「我来处理」 and, once taken, 「处理完毕」 with a note. Both writes go through the outbox:
// offline the tap is kept and sent later; a refusal (someone else took it) shows in place, once.

import { handleForm } from "./forms.js";
import { fillCall } from "./home.js";
import { formatDateTime, t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { pendingItems, queueWrite } from "./outbox.js";
import { announce, slot } from "./screen.js";
import { signedInUser } from "./session.js";
import { pagedList } from "./worker-lists.js";
import { fillFacts, linkButton, load, workerScreen } from "./worker.js";

const PER_PAGE = 20;
const MINUTE = 60 * 1000;

/** How long since `moment`, in words: "12 分钟", "2 小时 5 分钟", "3 天 4 小时". */
export function waited(moment) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(moment)) / MINUTE));
  if (minutes < 60) {
    return t("alerts.wait_minutes", { n: minutes });
  }
  if (minutes < 24 * 60) {
    return t("alerts.wait_hours", { h: Math.floor(minutes / 60), m: minutes % 60 });
  }
  return t("alerts.wait_days", { d: Math.floor(minutes / (24 * 60)), h: Math.floor((minutes % (24 * 60)) / 60) });
}

/** Who the alert is about, as a list shows them: "王奶奶 · 幸福里3幢", or the whole community. */
function subjectOf(alert) {
  return alert.resident ? `${alert.resident.address_as} · ${alert.resident.building_label}` : t("alerts.whole_community");
}

function entryText(alert) {
  const values = { label: alert.label, subject: subjectOf(alert) };
  switch (alert.status) {
    case "open":
      return t("alerts.entry_open", { ...values, wait: waited(alert.created_at) });
    case "acknowledged":
      return t("alerts.entry_acknowledged", { ...values, owner: alert.owner?.display_name ?? "" });
    case "resolved":
      return t("alerts.entry_resolved", { ...values, time: formatDateTime(alert.resolved_at) });
    default:
      return t("alerts.entry_closed", { ...values, time: formatDateTime(alert.created_at) });
  }
}

/** `/alerts`: open alerts first under 「无人接手」, then those being handled, then ended ones. */
export async function showAlerts(params, options) {
  const screen = workerScreen("alerts", "alerts.title", options);
  const sections = ["open", "acknowledged", "resolved", "closed"].map((status) => ({
    status,
    list: pagedList(screen, {
      perPage: PER_PAGE, countKey: "alerts.shown", countAll: false,
      list: `${status}-list`, more: `${status}-more`, count: `${status}-count`, empty: `${status}-empty`,
      build: (alert) => linkButton(`/alerts/${alert.id}`, entryText(alert)),
    }),
  }));
  await Promise.all(sections.map(({ status, list }) => list.show(`/api/v1/alerts?status=${status}`)));
  // Alerts end as 「已结束」 only when their resident died meanwhile: the section shows when there are some.
  slot(screen, "closed-section").hidden = !slot(screen, "closed-list").children.length;
}

function stateText(alert, me) {
  switch (alert.status) {
    case "open":
      return t("alerts.state_open", { wait: waited(alert.created_at) });
    case "acknowledged":
      return alert.owner?.id === me.id
        ? t("alerts.state_mine", { time: formatDateTime(alert.acknowledged_at) })
        : t("alerts.state_owner", { name: alert.owner?.display_name ?? "", time: formatDateTime(alert.acknowledged_at) });
    case "resolved":
      return t("alerts.state_resolved", { name: alert.resolved_by?.display_name ?? "", time: formatDateTime(alert.resolved_at) });
    default:
      return t("alerts.state_closed");
  }
}

function stepText(step) {
  const actor = step.actor?.display_name ?? "";
  const parts = [];
  if (step.action === "raised") {
    parts.push(actor ? t("alerts.step.raised_by", { name: actor }) : t("alerts.step.raised"));
  } else if (step.action === "reminded") {
    parts.push(t("alerts.step.reminded", { note: step.note ?? "" }));
  } else if (step.action === "resolved") {
    parts.push(t("alerts.step.resolved", { name: actor, note: step.note ?? "" }));
  } else {
    parts.push(t(`alerts.step.${step.action}`, { name: actor }));
  }
  if (step.reason) {
    parts.push(t(`alerts.reason.${step.reason}`));
  }
  if (step.told.length) {
    parts.push(t("alerts.told", { names: step.told.map((person) => person.display_name).join(t("role.separator")) }));
  }
  return parts.join(t("alerts.step_separator"));
}

function fillTimeline(list, steps) {
  list.replaceChildren(...steps.map((step) => {
    const item = document.createElement("li");
    const when = document.createElement("p");
    when.className = "timeline-time";
    when.textContent = formatDateTime(step.at);
    const what = document.createElement("p");
    what.textContent = stepText(step);
    item.append(when, what);
    return item;
  }));
}

/** A `tel:` link as a button in a list item, its words `text` with the number at {phone}. */
export function callItem(phone, text) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.className = "button button-secondary list-button";
  fillCall(link, phone, text);
  item.append(link);
  return item;
}

/**
 * Whom to call: the resident (their phone and the household's; reading them is audited, as on the
 * resident's own page) and the grid's other workers. Someone who may not read the resident's
 * record (the worker on duty from another grid) is offered the community's phone instead.
 */
async function fillCalls(screen, alert, me) {
  const calls = [];
  // Read quietly: a refusal here only means "not your grid", which the note below says in words.
  const [resident, grid] = await Promise.all([
    alert.resident ? cachedRead(`/api/v1/residents/${alert.resident.id}`) : null,
    alert.grid_id ? cachedRead(`/api/v1/grids/${alert.grid_id}`) : null,
  ]);
  if (resident?.ok) {
    const name = resident.body.address_as || resident.body.given_name;
    if (resident.body.phone) {
      calls.push(callItem(resident.body.phone, t("alerts.call_resident", { name })));
    }
    if (resident.body.household?.phone) {
      calls.push(callItem(resident.body.household.phone, t("alerts.call_household")));
    }
  }
  if (grid?.ok) {
    for (const worker of grid.body.workers) {
      if (worker.user_id !== me.id && worker.phone) {
        calls.push(callItem(worker.phone, t("alerts.call_worker", { name: worker.name })));
      }
    }
  }
  const cannotSee = Boolean(alert.resident) && !resident.ok && resident.status !== 0;
  if ((cannotSee || !calls.length) && me.community_phone) {
    calls.push(callItem(me.community_phone, t("alerts.call_community")));
  }
  slot(screen, "calls").replaceChildren(...calls);
  slot(screen, "recorded").hidden = !resident?.ok;
  const note = slot(screen, "no-phones");
  note.hidden = !cannotSee;
  note.textContent = cannotSee ? t("alerts.no_phones") : "";
}

/**
 * Show `alert` on the detail screen: its state, facts, timeline and what the reader may do now.
 * `refused`: a refusal of 「我来处理」 is shown in its form, which then stays (without the button).
 */
function render(screen, alert, me, { refused = false } = {}) {
  slot(screen, "heading").textContent = t("alerts.detail_heading", { label: alert.label, subject: subjectOf(alert) });
  const state = slot(screen, "state");
  state.textContent = stateText(alert, me);
  state.dataset.status = alert.status;
  fillFacts(slot(screen, "facts"), [
    [t("alerts.what"), alert.label],
    [t("alerts.about"), subjectOf(alert)],
    [t("alerts.raised_at"), formatDateTime(alert.created_at)],
    [t("alerts.resolution_note"), alert.resolution_note],
  ]);
  fillTimeline(slot(screen, "timeline"), alert.timeline ?? []);
  // A help request's alert (nobody took it, nobody confirmed it) leads to the request itself.
  const requestId = alert.data?.help_request_id;
  slot(screen, "request-item").hidden = !requestId;
  if (requestId) {
    slot(screen, "request").href = `/worker/requests/${requestId}`;
  }
  // An SOS's alert leads to the SOS: who is coming, and its close with a note.
  const sosId = alert.data?.sos_event_id;
  slot(screen, "sos-item").hidden = !sosId;
  if (sosId) {
    slot(screen, "sos").href = `/worker/sos/${sosId}`;
  }
  const ackPath = `/api/v1/alerts/${alert.id}/ack`;
  const waiting = alert.status === "open" && pendingItems(me.id).some((item) => item.path === ackPath);
  slot(screen, "take").hidden = alert.status !== "open" || waiting;
  slot(screen, "take-explain").hidden = alert.status !== "open" || waiting;
  screen.querySelector('[data-form="ack"]').hidden = alert.status !== "open" && !refused;
  slot(screen, "ack-pending").hidden = !waiting;
  const isAdmin = me.roles.includes("admin");
  const mayResolve = alert.status === "acknowledged" ? alert.owner?.id === me.id || isAdmin
    : alert.status === "open" && isAdmin;
  const resolving = pendingItems(me.id).some((item) => item.path === `/api/v1/alerts/${alert.id}/resolve`);
  screen.querySelector('[data-form="resolve"]').hidden = !mayResolve || resolving;
  slot(screen, "resolve-pending").hidden = !(mayResolve && resolving);
}

/** `/alerts/<id>`: one alert, 「我来处理」 and 「处理完毕」. */
export async function showAlert([alertId], options) {
  const screen = workerScreen("alert", "alerts.alert", options);
  slot(screen, "heading").textContent = t("alerts.alert");
  const me = signedInUser();
  const path = `/api/v1/alerts/${alertId}`;
  const ackForm = screen.querySelector('[data-form="ack"]');
  const resolveForm = screen.querySelector('[data-form="resolve"]');
  let alert = null;
  let refused = false;
  const what = () => (alert ? `${alert.label} · ${subjectOf(alert)}` : "");
  const show = (shown) => {
    alert = shown;
    render(screen, alert, me, { refused });
  };
  handleForm(ackForm, {
    busyText: () => t("alerts.taking"),
    async submit() {
      const report = await queueWrite({
        method: "POST", path: `${path}/ack`, label: t("alerts.ack_label", { what: what() }), ownRefusal: true,
      });
      if (report.state === "failed") {
        // Someone else took it (the 409 names them) or it ended: show the alert as it is now,
        // beside the refusal, which stays in this form's error summary.
        refused = true;
        const fresh = await load(path);
        if (fresh.ok) {
          show(fresh.body);
        }
      }
      return report;
    },
    pending() {
      // The button goes (a second tap would queue a second copy); focus moves to the note saying why.
      slot(screen, "take").hidden = true;
      slot(screen, "take-explain").hidden = true;
      const note = slot(screen, "ack-pending");
      note.hidden = false;
      note.focus();
    },
    async done(answer) {
      refused = false;
      // A replayed answer may carry less than the detail: read it again then.
      show(answer.body?.timeline ? answer.body : (await load(path)).body ?? alert);
      slot(screen, "state").focus();
      announce(t("alerts.taken"));
    },
  });
  handleForm(resolveForm, {
    labels: () => ({ note: t("alerts.resolve_note") }),
    check: () => (resolveForm.elements.note.value.trim() ? {} : { note: [t("alerts.missing_note")] }),
    submit: () => queueWrite({
      method: "POST", path: `${path}/resolve`, body: { note: resolveForm.elements.note.value.trim() },
      label: t("alerts.resolve_label", { what: what() }), ownRefusal: true,
    }),
    pending() {
      resolveForm.hidden = true; // as with 我来处理: no second copy; the note says it waits
      const note = slot(screen, "resolve-pending");
      note.hidden = false;
      note.focus();
    },
    async done(answer) {
      show(answer.body?.timeline ? answer.body : (await load(path)).body ?? alert);
      slot(screen, "state").focus();
      announce(t("alerts.resolved"));
    },
  });
  const answer = await load(path);
  if (!answer.ok) {
    ackForm.hidden = true;
    return;
  }
  show(answer.body);
  await fillCalls(screen, alert, me);
}
