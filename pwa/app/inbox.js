// Notifications inside the app, on every screen: the unread badge (in the header and on every
// home), polled while the app is open and in view; what the service worker says about pushes (one
// arrived, one was tapped); and the push panel, wired wherever a screen includes one. The inbox
// screen itself is inbox-screen.js, fetched when it is opened.

import { language, t } from "./i18n.js";
import { queueWrite } from "./outbox.js";
import { navigate, rerender } from "./router.js";
import { afterPaint, onScreenShown } from "./screen.js";
import { onSignedIn, signedInUser } from "./session.js";
import { importModule } from "./update.js";

const UNREAD_COUNT = "/api/v1/notifications/unread-count";

// The badge: what the server last said, for whom, and its ETag (an unchanged count costs a 304).
let unread = null;
let latestUnreadId = null;
let countFor = null;
let etag = null;
let timer = null;
let polling = null;
let pollAgain = false;
let stopped = false; // the server ended the session: no more polls until someone signs in
const freshListeners = new Set();

/** Seconds between polls, as the server wrote it into the shell (INBOX_POLL_SECONDS). */
function pollSeconds() {
  const seconds = Number(document.querySelector('meta[name="linli-unread-poll-seconds"]')?.content);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}

function schedule() {
  window.clearTimeout(timer);
  timer = null;
  const seconds = pollSeconds();
  if (seconds && !stopped && signedInUser() && document.visibilityState === "visible") {
    timer = window.setTimeout(() => refreshBadge(), seconds * 1000);
  }
}

/**
 * Ask the server for the unread count now (one request at a time; a call while one runs asks
 * again after it). It goes with If-None-Match, so nothing new costs a 304, and with
 * X-Linli-Background, so polling never keeps a session active (docs/accounts.md).
 */
export function refreshBadge() {
  if (polling) {
    pollAgain = true;
    return polling;
  }
  polling = (async () => {
    try {
      do {
        pollAgain = false;
        await pollOnce();
      } while (pollAgain);
    } finally {
      polling = null;
      schedule();
    }
  })();
  return polling;
}

async function pollOnce() {
  const user = signedInUser();
  if (!user || stopped) {
    showBadge();
    return;
  }
  if (countFor !== user.id) {
    unread = null;
    latestUnreadId = null;
    etag = null;
    countFor = user.id;
  }
  const headers = { Accept: "application/json", "Accept-Language": language(), "X-Linli-Background": "1" };
  if (etag) {
    headers["If-None-Match"] = etag;
  }
  let response;
  try {
    response = await fetch(UNREAD_COUNT, { credentials: "same-origin", cache: "no-store", headers });
  } catch {
    return; // offline: the badge keeps what it last knew
  }
  if (response.status === 401) {
    stopped = true;
    unread = null;
  } else if (response.ok && signedInUser()?.id === user.id) {
    const body = await response.json().catch(() => null);
    if (body && Number.isInteger(body.unread)) {
      etag = response.headers.get("ETag");
      const arrived = body.latest_unread_id !== null && body.latest_unread_id !== latestUnreadId;
      unread = body.unread;
      latestUnreadId = body.latest_unread_id;
      if (arrived) {
        for (const listener of freshListeners) {
          if (listener(latestUnreadId) === false) {
            freshListeners.delete(listener);
          }
        }
      }
    }
  }
  // 304: nothing changed since the ETag we sent.
  showBadge();
}

/** Fill every inbox link on the page (the header's, the home's) with the words and the count. */
function showBadge(root = document) {
  const user = signedInUser();
  for (const link of root.querySelectorAll("[data-inbox-link]")) {
    const words = document.createElement("span");
    words.textContent = t("inbox.link");
    const parts = [words];
    if (user && countFor === user.id && unread > 0) {
      const badge = document.createElement("span");
      badge.className = "unread-badge";
      badge.textContent = t("inbox.unread_count", { count: unread });
      parts.push(" ", badge);
    }
    link.replaceChildren(...parts);
    if (link.classList.contains("masthead-inbox")) {
      link.hidden = !user;
    }
  }
}

/** Start the badge: poll now and every INBOX_POLL_SECONDS while in view, pause while hidden. */
export function startInbox() {
  onScreenShown((container) => {
    showBadge();
    wirePushPanel(container);
  });
  onSignedIn(() => {
    stopped = false;
    refreshBadge();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      refreshBadge();
    } else {
      window.clearTimeout(timer);
      timer = null;
    }
  });
  // The first screen was shown before this started. Its count is asked for once it is painted:
  // the page's first long task is not made longer by a request the screen does not wait for.
  showBadge();
  wirePushPanel(document.getElementById("screen"));
  markStarted();
  return afterPaint().then(refreshBadge);
}

// The push panel (this phone on or off, SMS instead) is in push.js, fetched only for screens
// that include one (the volunteer home, settings).
function wirePushPanel(container) {
  const panel = container.querySelector("[data-push-panel]");
  if (panel && signedInUser()) {
    // The turn-on button shows at once, while push.js loads and looks up this phone's state (off,
    // most often), so the screen below the panel does not jump; "on" swaps it for the turn-off
    // button of the same size.
    const on = panel.querySelector('[data-slot="push-on"]');
    const context = panel.closest("[data-push-context]")?.dataset.pushContext;
    on.textContent = t(context === "volunteer" ? "push.turn_on_volunteer" : "push.turn_on");
    on.hidden = false;
    afterPaint().then(() => loadPushPanel(panel));
  }
}

// push.js can fail to arrive when the phone went offline before the service worker had it: the
// turn-on button stays as it is, and the panel is tried again once the network is back (never an
// unhandled error).
function loadPushPanel(panel) {
  importModule(() => import("./push.js")).then(({ showPushPanel }) => showPushPanel(panel), () => {
    window.addEventListener("online", () => loadPushPanel(panel), { once: true });
  });
}

// Messages from the service worker. The listener is added when this module loads, before the
// page's first screen, so a message to a window the worker has just opened is not missed; it is
// acted on once the app knows who is signed in.
let markStarted;
const started = new Promise((resolve) => {
  markStarted = resolve;
});

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.addEventListener("message", async (event) => {
    const message = event.data || {};
    await started;
    if (message.type === "notification-arrived") {
      refreshBadge();
    } else if (message.type === "notification-opened") {
      await openedFromNotification(message);
    }
  });
}

/** A tap on a notification: it is read now, and the app shows its screen (a same-origin path). */
async function openedFromNotification({ id, url }) {
  if (signedInUser() && Number.isInteger(id)) {
    await markRead(id);
  }
  const path = appPath(url) ?? "/inbox";
  if (path !== window.location.pathname + window.location.search) {
    await navigate(path);
  } else {
    await rerender({ moveFocus: true }); // already there: show it as it is now
  }
}

/** `url` as a path of this app, or null: another origin, or the API, is never opened. */
export function appPath(url) {
  if (typeof url !== "string" || !url) {
    return null;
  }
  try {
    const target = new URL(url, window.location.origin);
    if (target.origin !== window.location.origin || /^\/api(\/|$)/.test(target.pathname)) {
      return null;
    }
    return target.pathname + target.search;
  } catch {
    return null;
  }
}

/** Mark one notification read, through the outbox (it waits on this phone while offline). */
export function markRead(id) {
  return queueWrite({
    method: "POST", path: `/api/v1/notifications/${id}/read`, label: t("inbox.label_read"), ownRefusal: true,
  }).then((result) => {
    refreshBadge();
    return result;
  });
}

/** Call `listener(id)` when the unread count names a newer unread notification than before; it
 * returns false once it no longer wants to hear (its screen has gone). */
export function onFreshMessage(listener) {
  freshListeners.add(listener);
}
