// SOS events for workers and admins: the list (going on first, then those called off and still to
// close, then closed) and one event — who was told, who is coming, 「我来处理」 (the SOS's alert is
// taken on through the alerts API) and 「结束这次紧急求助」 with the required note. Both writes go
// through the outbox, a refusal shown in place once, as on an alert.

import { handleForm } from "./forms.js";
import { formatDateTime, t } from "./i18n.js";
import { pendingItems, queueWrite } from "./outbox.js";
import { announce, slot } from "./screen.js";
import { signedInUser } from "./session.js";
import { pagedList } from "./worker-lists.js";
import { fillFacts, linkButton, load, workerScreen } from "./worker.js";

const PER_PAGE = 20;

function subjectOf(event) {
  return `${event.address_as} · ${event.building_label}`;
}

/** `/worker/sos`: the SOS events of my grids (an admin: of the community). */
export async function showSosEvents(params, options) {
  const screen = workerScreen("worker-sos-list", "worker.sos.title", options);
  const list = pagedList(screen, {
    perPage: PER_PAGE, countKey: "worker.sos.shown", countAll: false,
    build: (event) => linkButton(`/worker/sos/${event.id}`, t("worker.sos.entry", {
      subject: subjectOf(event), state: t(`worker.sos.status.${event.status}`), time: formatDateTime(event.occurred_at),
    })),
  });
  await list.show("/api/v1/sos");
}

function stateText(event, me) {
  if (event.status === "closed") {
    return t("worker.sos.state_closed", { name: event.closed_by?.name ?? "", time: formatDateTime(event.closed_at) });
  }
  const taken = event.acknowledged;
  const who = !taken ? t("worker.sos.state_nobody")
    : t(taken.id === me.id ? "worker.sos.state_mine" : "worker.sos.state_owner",
      { name: taken.name, time: formatDateTime(taken.at) });
  return event.status === "cancelled" ? `${t("worker.sos.state_cancelled")} ${who}` : who;
}

function comingText(coming) {
  if (!coming) {
    return null;
  }
  return coming.arrived || !coming.eta_minutes ? t("worker.sos.arrived_text", { name: coming.name })
    : t("worker.sos.coming_text", { name: coming.name, n: coming.eta_minutes });
}

function fillTimeline(list, steps) {
  list.replaceChildren(...steps.map((step) => {
    const item = document.createElement("li");
    const when = document.createElement("p");
    when.className = "timeline-time";
    when.textContent = formatDateTime(step.at);
    const what = document.createElement("p");
    what.textContent = t(`worker.sos.step.${step.action}`, { name: step.actor ?? "", note: step.note ?? "" });
    item.append(when, what);
    return item;
  }));
}

function render(screen, event, me) {
  slot(screen, "heading").textContent = t("worker.sos.detail_heading", { subject: subjectOf(event) });
  slot(screen, "state").textContent = stateText(event, me);
  const { told } = event;
  fillFacts(slot(screen, "facts"), [
    [t("worker.sos.pressed_at"), formatDateTime(event.occurred_at)],
    [t("worker.sos.presses"), String(event.presses)],
    [t("worker.sos.told"), t("worker.sos.told_text", {
      w: told.grid_workers, f: told.family, c: told.emergency_contacts, v: told.volunteers,
    })],
    [t("worker.sos.coming"), comingText(event.coming)],
    [t("worker.sos.note_shown"), event.close_note],
  ]);
  slot(screen, "alert-item").hidden = !event.alert_id;
  if (event.alert_id) {
    slot(screen, "alert").href = `/alerts/${event.alert_id}`;
  }
  const ackPath = `/api/v1/alerts/${event.alert_id}/ack`;
  const ackWaiting = pendingItems(me.id).some((item) => item.path === ackPath);
  screen.querySelector('[data-form="ack"]').hidden = !event.alert_id || Boolean(event.acknowledged)
    || event.status === "closed" || ackWaiting;
  slot(screen, "ack-pending").hidden = !ackWaiting;
  const closing = pendingItems(me.id).some((item) => item.path === `/api/v1/sos/${event.id}/close`);
  screen.querySelector('[data-form="close"]').hidden = event.status === "closed" || closing;
  slot(screen, "close-pending").hidden = !closing;
  fillTimeline(slot(screen, "timeline"), event.timeline ?? []);
}

/** `/worker/sos/<id>`: one SOS, 「我来处理」 and 「结束这次紧急求助」. */
export async function showSosEvent([eventId], options) {
  const screen = workerScreen("worker-sos", "worker.sos.title", options);
  slot(screen, "heading").textContent = t("worker.sos.title");
  const me = signedInUser();
  const path = `/api/v1/sos/${eventId}`;
  const ackForm = screen.querySelector('[data-form="ack"]');
  const closeForm = screen.querySelector('[data-form="close"]');
  let event = null;
  const show = (shown) => {
    event = shown;
    render(screen, event, me);
  };
  const reload = async () => {
    const fresh = await load(path);
    if (fresh.ok) {
      show(fresh.body);
    }
  };
  handleForm(ackForm, {
    busyText: () => t("alerts.taking"),
    async submit() {
      const report = await queueWrite({
        method: "POST", path: `/api/v1/alerts/${event.alert_id}/ack`, ownRefusal: true,
        label: t("worker.sos.ack_label", { what: subjectOf(event) }),
      });
      if (report.state === "failed") {
        await reload(); // someone else took it: show who, beside the refusal
        ackForm.hidden = false;
      }
      return report;
    },
    pending() {
      ackForm.hidden = true;
      const note = slot(screen, "ack-pending");
      note.hidden = false;
      note.focus();
    },
    async done() {
      await reload();
      slot(screen, "state").focus();
      announce(t("worker.sos.taken"));
    },
  });
  handleForm(closeForm, {
    labels: () => ({ note: t("worker.sos.note") }),
    check: () => (closeForm.elements.note.value.trim() ? {} : { note: [t("worker.sos.missing_note")] }),
    submit: () => queueWrite({
      method: "POST", path: `${path}/close`, body: { note: closeForm.elements.note.value.trim() },
      label: t("worker.sos.close_label", { what: subjectOf(event) }), ownRefusal: true,
    }),
    pending() {
      closeForm.hidden = true;
      const note = slot(screen, "close-pending");
      note.hidden = false;
      note.focus();
    },
    async done(answer) {
      show(answer.body?.timeline ? answer.body : (await load(path)).body ?? event);
      slot(screen, "state").focus();
      announce(t("worker.sos.closed"));
    },
  });
  const answer = await load(path);
  if (answer.ok) {
    show(answer.body);
  }
}
