// The outbox: every write that can wait is kept in IndexedDB with its own Idempotency-Key, the
// moment the person tapped (occurred_at) and whose it is, then sent — now if possible, else on
// load, when the phone comes back online or the app comes back into view, with backoff.

import { api } from "./api.js";
import { serverPhone } from "./calls.js";
import { callFor, fillCall, helpPhoneFor } from "./home.js";
import { formatTime, t } from "./i18n.js";
import { onCachedDataChanged, screenFromCacheAt } from "./offline-data.js";
import { announce, onScreenShown, showScreen, slot } from "./screen.js";
import { lastSignedInId, onSignedIn, sessionEnded, signedInUser } from "./session.js";
import { outboxAll, outboxDelete, outboxPut } from "./store.js";

const FIRST_RETRY_MS = 2000;
const LAST_RETRY_MS = 5 * 60 * 1000;

const sending = new Set();
let retryTimer = null;
let items = [];

/** ISO-8601 with this phone's offset (what `occurred_at` fields take), for `date`. */
export function withOffset(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${sign}${pad(Math.trunc(minutes / 60))}:${pad(minutes % 60)}`;
}

export function newKey() {
  if (crypto.randomUUID) {
    return crypto.randomUUID();
  }
  // Older WebViews without randomUUID still have getRandomValues.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Worth trying again later: the write may not have arrived, or the first copy is still running. */
function retryable(answer) {
  return answer.status === 0 || answer.status >= 500 || answer.status === 429
    || (answer.status === 409 && answer.reason === "idempotency_in_flight");
}

function backoff(attempts) {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(attempts - 1, 0), LAST_RETRY_MS);
}

async function refresh() {
  try {
    items = await outboxAll();
  } catch {
    items = [];
  }
  render();
}

/**
 * Send one stored item under the current session; resolves to what queueWrite reports.
 * `ownRefusal`: the screen that asked is waiting for this answer and shows a refusal itself, so a
 * refused item is removed instead of also being listed under 未能发送.
 */
async function attempt(item, { ownRefusal = false } = {}) {
  sending.add(item.key);
  try {
    const answer = await api(item.method, item.path, item.body, { headers: { "Idempotency-Key": item.key } });
    if (answer.ok) {
      await outboxDelete(item.key);
      return { state: "sent", response: answer };
    }
    if (answer.status === 401) {
      // Kept, with the same key: sent again once the same person signs in again.
      await outboxPut({ ...item, state: "sign_in" });
      await sessionEnded();
      return { state: "pending", response: answer };
    }
    if (retryable(answer)) {
      const attempts = (item.attempts || 0) + 1;
      await outboxPut({ ...item, state: "pending", attempts, next_try_at: Date.now() + backoff(attempts) });
      return { state: "pending", response: answer };
    }
    if (ownRefusal) {
      await outboxDelete(item.key);
    } else {
      await outboxPut({ ...item, state: "failed", message: answer.message, reason: answer.reason });
    }
    return { state: "failed", response: answer };
  } finally {
    sending.delete(item.key);
  }
}

function scheduleRetry() {
  window.clearTimeout(retryTimer);
  const user = signedInUser();
  const waiting = items.filter((item) => item.state === "pending" && item.user_id === user?.id);
  if (!waiting.length) {
    return;
  }
  const soonest = Math.min(...waiting.map((item) => item.next_try_at || 0));
  retryTimer = window.setTimeout(() => flush(), Math.max(soonest - Date.now(), 0));
}

let flushing = null;

/**
 * Send the signed-in person's waiting items, oldest first. `force` ignores the backoff (the
 * phone just came online, or the app came back into view). Other people's items stay put.
 */
export function flush({ force = false } = {}) {
  if (flushing) {
    return flushing;
  }
  flushing = (async () => {
    try {
      await refresh();
      const user = signedInUser();
      for (const item of items) {
        if (!user || item.user_id !== user.id || sending.has(item.key) || item.state === "failed") {
          continue;
        }
        if (item.state === "pending" && !force && (item.next_try_at || 0) > Date.now()) {
          continue;
        }
        const result = await attempt(item);
        if (result.state === "pending" && result.response.status !== 401 && result.response.status !== 409) {
          break; // the network is down: the rest would fail the same way
        }
        if (result.response.status === 401) {
          break;
        }
      }
    } finally {
      await refresh();
      scheduleRetry();
      flushing = null;
    }
  })();
  return flushing;
}

/**
 * Queue a write and send it at once when possible. Resolves to {state: "sent"|"pending"|"failed",
 * response?}. `urgent` writes (SOS) are never left waiting: if they cannot reach the server now,
 * the full-screen "没有发出 — 请直接打电话" opens (calls for `subject`, a home's subject, else the
 * signed-in person's grid worker) and the state is "failed".
 * `stampOccurredAt` adds the tap time to the body as `occurred_at`, for endpoints that take it.
 * `ownRefusal`: the calling screen shows a refusal (409, 422, 403…) of this first attempt itself
 * (a form's error summary), so it is not listed again under 未能发送. Only the first attempt, made
 * while the screen waits: a refusal on a later retry (after reconnecting, the form long gone)
 * still lands in 未能发送.
 */
export async function queueWrite({
  method, path, body, label, urgent = false, subject = null, stampOccurredAt = false, ownRefusal = false,
}) {
  const user = signedInUser();
  const occurredAt = withOffset();
  const item = {
    key: newKey(),
    seq: Date.now() + Math.random(),
    method,
    path,
    body: stampOccurredAt ? { ...body, occurred_at: occurredAt } : body,
    label: label || "",
    occurred_at: occurredAt,
    user_id: user?.id ?? null,
    state: "pending",
    attempts: 0,
  };
  if (urgent) {
    const answer = await api(method, path, item.body, { headers: { "Idempotency-Key": item.key } });
    if (answer.ok) {
      return { state: "sent", response: answer };
    }
    showNotSent(subject);
    return { state: "failed", response: answer };
  }
  if (!user) {
    return { state: "failed", response: { ok: false, status: 401, reason: "not_signed_in", message: t("sign_in.session_ended"), errors: {} } };
  }
  try {
    await outboxPut(item);
  } catch {
    // No IndexedDB on this phone: send it once, directly, and say what happened.
    const answer = await api(method, path, item.body, { headers: { "Idempotency-Key": item.key } });
    return { state: answer.ok ? "sent" : "failed", response: answer };
  }
  const result = await attempt(item, { ownRefusal });
  await refresh();
  scheduleRetry();
  return result;
}

/** Items waiting to be sent (all users, or those of `userId`). */
export function pendingItems(userId) {
  return items.filter((item) => item.state !== "failed" && (userId === undefined || item.user_id === userId));
}

function mine() {
  const user = signedInUser();
  return user ? items.filter((item) => item.user_id === user.id) : [];
}

function render() {
  const box = document.querySelector("[data-outbox]");
  if (!box) {
    return;
  }
  const own = mine();
  const waiting = own.filter((item) => item.state !== "failed");
  const failed = own.filter((item) => item.state === "failed");
  const pending = box.querySelector("[data-outbox-pending]");
  pending.hidden = !waiting.length;
  pending.textContent = waiting.length ? t("outbox.pending", { count: waiting.length }) : "";
  // After a 401 the person is signed out here; their items wait for them to sign in again.
  const needSignIn = !signedInUser() && items.some((item) => item.state === "sign_in"
    && item.user_id === lastSignedInId());
  if (needSignIn) {
    pending.hidden = false;
    const count = items.filter((item) => item.state !== "failed" && item.user_id === lastSignedInId()).length;
    pending.textContent = `${t("outbox.pending", { count })} — ${t("outbox.sign_in_to_send")}`;
  }
  const offline = box.querySelector("[data-outbox-offline]");
  const fetchedAt = screenFromCacheAt();
  offline.hidden = !fetchedAt;
  offline.textContent = fetchedAt ? lastUpdated(fetchedAt) : "";
  const list = box.querySelector("[data-outbox-failed]");
  list.hidden = !failed.length;
  if (failed.length) {
    list.querySelector("[data-outbox-failed-heading]").textContent = t("outbox.failed_heading");
    list.querySelector("ul").replaceChildren(...failed.map(failedRow));
  }
  box.hidden = pending.hidden && list.hidden && offline.hidden;
}

function failedRow(item) {
  const row = document.createElement("li");
  const what = document.createElement("p");
  what.className = "outbox-label";
  what.textContent = item.label || `${item.method} ${item.path}`;
  const why = document.createElement("p");
  why.className = "outbox-message";
  why.textContent = item.message || t("error.network");
  const actions = document.createElement("p");
  actions.className = "outbox-actions";
  const retry = button(t("outbox.retry"), async () => {
    await outboxPut({ ...item, state: "pending", attempts: 0, next_try_at: 0 });
    announce(t("outbox.retrying"));
    await flush({ force: true });
    document.querySelector("#main h1")?.focus();
  });
  const dismiss = button(t("outbox.dismiss"), async () => {
    await outboxDelete(item.key);
    await refresh();
    announce(t("outbox.dismissed"));
    document.querySelector("#main h1")?.focus();
  });
  actions.append(retry, dismiss);
  row.append(what, why, actions);
  return row;
}

function button(text, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "button button-secondary button-small";
  element.textContent = text;
  element.addEventListener("click", onClick);
  return element;
}

/**
 * The full screen for an urgent write that could not reach the server: "没有发出 — 请直接打电话",
 * with the grid worker (or the community) and 120. It never waits in the queue unseen.
 */
export function showNotSent(subject = null) {
  const screen = showScreen("not-sent", "outbox.not_sent_title");
  const call = callFor(subject) ?? helpPhoneFor(signedInUser()) ?? callFor({ communityPhone: serverPhone() });
  const link = slot(screen, "call-grid-worker");
  if (call) {
    fillCall(link, call.phone, t(call.kind === "grid_worker" ? "sos.call_grid_worker" : "sos.call_community"));
  } else {
    slot(screen, "grid-worker-item").remove();
  }
}

/** Start the outbox: show what waits, and send it on load, online and when back in view. */
export function startOutbox() {
  onScreenShown(() => render());
  onCachedDataChanged(() => render());
  onSignedIn(() => flush({ force: true }));
  window.addEventListener("online", () => flush({ force: true }));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      flush({ force: true });
    }
  });
  return flush({ force: true });
}

/** When the data on screen came from this phone's cache: "最后更新 14:05". */
export function lastUpdated(fetchedAt) {
  return t("offline.last_updated", { time: formatTime(fetchedAt) });
}
