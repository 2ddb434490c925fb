// SOS for a resident, or a relative with request_help acting for her: 紧急求助 on the home → a
// visible countdown (SOS_COUNTDOWN_SECONDS, 5–10, from the shell) with a huge 取消 → sent as an
// urgent write (offline or failing: the outbox's full screen "没有发出 — 请直接打电话") → the status
// screen in large words: who has been told, who took it on, who is coming and how far, the grid
// worker and 120 always on screen, and 「我没事了，误按了」. The status is read again every 5 s while
// it is in view. Leaving the countdown screen (Back, another link) sends nothing, as 取消 does. A
// phone that knows it is offline gets the call screen at once (main.js): no countdown to nothing.

import { api } from "./api.js";
import { callFor, fillCall } from "./home.js";
import { serverPhone } from "./calls.js";
import { formatTime, t } from "./i18n.js";
import { queueWrite } from "./outbox.js";
import { navigate } from "./router.js";
import { announce, showScreen, slot } from "./screen.js";
import { signedInUser } from "./session.js";

const POLL_MS = 5000;
const COUNTDOWN = { low: 5, high: 10 };

/** The countdown's seconds, as the server wrote them into the shell (kept within 5–10). */
function countdownSeconds() {
  const seconds = Number(document.querySelector('meta[name="linli-sos-countdown-seconds"]')?.content);
  return Number.isFinite(seconds) ? Math.min(COUNTDOWN.high, Math.max(COUNTDOWN.low, Math.round(seconds)))
    : COUNTDOWN.low;
}

function residentIdOf(subject) {
  return subject.actingFor ? Number(subject.base.split("/").pop()) : signedInUser().resident.id;
}

/** The grid worker's (else the community's) and 120's tel: buttons, always on an SOS screen. */
function fillCalls(screen, subject, phone = null) {
  const call = (phone ? { phone, kind: "grid_worker" } : null) ?? callFor(subject)
    ?? callFor({ communityPhone: serverPhone() });
  const link = slot(screen, "call-grid-worker");
  if (call) {
    fillCall(link, call.phone, t(call.kind === "grid_worker" ? "sos.call_grid_worker" : "sos.call_community"));
  } else {
    slot(screen, "grid-worker-item").hidden = true;
  }
}

function showActingFor(screen, subject) {
  if (subject.actingFor) {
    const banner = slot(screen, "acting-for");
    banner.textContent = t("home.acting_for", { name: subject.name });
    banner.hidden = false;
  }
}

/** `/sos`, `/for/<id>/sos` for someone who may send it: the countdown, then the SOS. */
export function showSosCountdown(subject, options) {
  const screen = showScreen("sos-countdown", "sos.countdown_title", options);
  showActingFor(screen, subject);
  fillCalls(screen, subject);
  const count = slot(screen, "count");
  const explain = slot(screen, "explain");
  let left = countdownSeconds();
  const show = () => {
    count.textContent = String(left);
    explain.textContent = t("sos.countdown", { n: left });
  };
  show();
  announce(t("sos.countdown_title"));
  // A screen drawn for an address already left is detached: it never counts, never sends.
  const shown = () => count.isConnected;
  const timer = window.setInterval(() => {
    if (!shown()) {
      window.clearInterval(timer);
      return;
    }
    left -= 1;
    if (left > 0) {
      show();
      return;
    }
    window.clearInterval(timer);
    slot(screen, "cancel").hidden = true; // on its way: too late to cancel, 我没事了 comes next
    explain.textContent = t("sos.sending");
    send(subject);
  }, 1000);
  slot(screen, "cancel").addEventListener("click", async () => {
    window.clearInterval(timer);
    await navigate(subject.base || "/");
    announce(t("sos.cancelled"));
  });
}

async function send(subject) {
  announce(t("sos.sending"));
  const result = await queueWrite({
    method: "POST", path: `/api/v1/residents/${residentIdOf(subject)}/sos`, body: {}, label: t("home.sos"),
    urgent: true, subject, stampOccurredAt: true,
  });
  if (result.state !== "sent") {
    return; // the outbox showed 没有发出 — 请直接打电话
  }
  await navigate(`${subject.base}/sos/${result.response.body.id}`, { replace: true });
}

function line(text) {
  const item = document.createElement("li");
  item.textContent = text;
  return item;
}

function news(event) {
  const lines = [];
  if (event.acknowledged) {
    lines.push(t("sos.acknowledged", { name: event.acknowledged.name }));
  } else if (event.status === "open") {
    lines.push(t("sos.waiting_ack"));
  }
  if (event.status !== "open") {
    return lines;
  }
  const { coming } = event;
  if (coming?.arrived) {
    lines.push(t("sos.arrived", { name: coming.name }));
  } else if (coming) {
    lines.push(coming.eta_minutes ? t("sos.coming", { name: coming.name, n: coming.eta_minutes })
      : t("sos.coming_no_eta", { name: coming.name }));
  } else if (event.help_request_id) {
    lines.push(t("sos.seeking"));
  } else {
    lines.push(t("sos.no_volunteers"));
  }
  return lines;
}

function toldLines(told) {
  const kinds = [["grid_workers", "sos.told_workers"], ["family", "sos.told_family"],
    ["emergency_contacts", "sos.told_contacts"], ["volunteers", "sos.told_volunteers"]];
  const lines = kinds.filter(([kind]) => told[kind] > 0).map(([kind, key]) => t(key, { n: told[kind] }));
  return lines.length ? lines : [t("sos.told_nobody_yet")];
}

const HEADINGS = { open: "sos.status_heading", cancelled: "sos.cancelled_heading", closed: "sos.closed_heading" };

function render(screen, event) {
  slot(screen, "heading").textContent = t(HEADINGS[event.status] ?? "sos.status_heading");
  slot(screen, "news").replaceChildren(...news(event).map(line));
  slot(screen, "told").replaceChildren(...toldLines(event.told).map(line));
  slot(screen, "all-right-item").hidden = event.status !== "open";
  slot(screen, "press-again").hidden = event.status === "open";
  slot(screen, "updated").textContent = t("sos.updated", { time: formatTime(new Date()) });
}

/** `/sos/<id>`, `/for/<id>/sos/<id>`: what is happening, read again every 5 s while in view. */
export async function showSosStatus(subject, eventId, options) {
  const path = `/api/v1/sos/${eventId}`;
  const first = await api("GET", path);
  const screen = showScreen("sos-status", "sos.status_title", options);
  showActingFor(screen, subject);
  slot(screen, "home").href = subject.base || "/";
  const heading = slot(screen, "heading");
  fillCalls(screen, subject, first.ok ? first.body.grid_worker_phone : null);
  if (!first.ok) {
    heading.textContent = first.status === 0 ? t("sos.status_heading") : t("sos.not_found");
    slot(screen, "all-right-item").hidden = true;
    announce(first.message);
    return;
  }
  let event = first.body;
  render(screen, event);
  const allRight = slot(screen, "all-right");
  let busy = false;
  allRight.addEventListener("click", async () => {
    if (busy) {
      return;
    }
    busy = true;
    allRight.setAttribute("aria-disabled", "true");
    announce(t("sos.all_right_sending"));
    const report = await queueWrite({
      method: "POST", path: `${path}/cancel`, body: {}, label: t("sos.all_right"), stampOccurredAt: true,
    });
    busy = false;
    allRight.removeAttribute("aria-disabled");
    if (report.state === "sent") {
      event = report.response.body;
      render(screen, event);
      heading.focus();
      announce(t("sos.all_right_done"));
    }
  });
  const poll = async () => {
    if (!heading.isConnected || event.status === "closed") {
      return; // another screen now, or nothing more will change
    }
    if (document.visibilityState === "visible") {
      const fresh = await api("GET", path);
      if (!heading.isConnected) {
        return;
      }
      if (fresh.ok) {
        event = fresh.body;
        render(screen, event);
      }
    }
    window.setTimeout(poll, POLL_MS);
  };
  window.setTimeout(poll, POLL_MS);
}
