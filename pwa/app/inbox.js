// Notifications inside the app: the unread badge (in the header and on every home), polled while
// the app is open and in view; the inbox at /inbox; what the service worker says about pushes
// (one arrived, one was tapped); and the push panel, wired wherever a screen includes it.

import { api } from "./api.js";
import { formatDateTime, language, t, translate } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { navigate, rerender } from "./router.js";
import { announce, onScreenShown, showScreen, slot } from "./screen.js";
import { onSignedIn, signedInUser } from "./session.js";
import { importModule } from "./update.js";

const UNREAD_COUNT = "/api/v1/notifications/unread-count";
const PER_PAGE = 20;
const INBOX_PATH = /^\/(?:inbox|notifications)\/?$/;

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
          listener(latestUnreadId);
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
  // The first screen was shown before this started.
  showBadge();
  wirePushPanel(document.getElementById("screen"));
  markStarted();
  return refreshBadge();
}

// The push panel (this phone on or off, SMS instead) is in push.js, fetched only for screens
// that include one (the volunteer home, settings).
function wirePushPanel(container) {
  const panel = container.querySelector("[data-push-panel]");
  if (panel && signedInUser()) {
    importModule(() => import("./push.js")).then(({ showPushPanel }) => showPushPanel(panel));
  }
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

/**
 * Where a notification leads: an alert's screen for a safety alert (data.alert_id), else the
 * screen its kind names; null when that is the inbox itself.
 */
function targetOf(message) {
  if (message.data && message.data.alert_id !== undefined) {
    return `/alerts/${encodeURIComponent(message.data.alert_id)}`;
  }
  const path = appPath(message.url);
  return path && !INBOX_PATH.test(path.split("?")[0]) ? path : null;
}

/** Mark one notification read, through the outbox (it waits on this phone while offline). */
function markRead(id) {
  return queueWrite({
    method: "POST", path: `/api/v1/notifications/${id}/read`, label: t("inbox.label_read"), ownRefusal: true,
  }).then((result) => {
    refreshBadge();
    return result;
  });
}

function messageRow(message) {
  const template = document.getElementById("inbox-message").content.cloneNode(true);
  const row = template.firstElementChild;
  translate(row);
  const titleId = `message-${message.id}-title`;
  const title = row.querySelector(".message-title");
  title.id = titleId;
  slot(row, "title").textContent = message.title;
  slot(row, "body").textContent = message.body;
  slot(row, "time").textContent = formatDateTime(message.created_at);
  row.dataset.id = String(message.id);
  if (message.safety) {
    row.classList.add("message-safety");
    slot(row, "safety").hidden = false;
  }
  const target = targetOf(message);
  const open = slot(row, "open");
  const gotIt = slot(row, "read");
  if (target) {
    open.href = target;
    open.textContent = t("inbox.open");
    open.setAttribute("aria-describedby", titleId);
    open.hidden = false;
    open.addEventListener("click", async (event) => {
      event.preventDefault(); // the router leaves it alone: the read is recorded first
      if (!message.read_at) {
        await markRead(message.id);
      }
      await navigate(target);
    });
  } else {
    gotIt.setAttribute("aria-describedby", titleId);
    gotIt.addEventListener("click", async () => {
      await markRead(message.id);
      showRead(row);
      title.focus();
      announce(t("inbox.marked_read"));
    });
  }
  if (!message.read_at) {
    row.classList.add("message-unread");
    slot(row, "unread").hidden = false;
    gotIt.hidden = Boolean(target);
  }
  return row;
}

function showRead(row) {
  row.classList.remove("message-unread");
  slot(row, "unread").hidden = true;
  slot(row, "read").hidden = true;
}

/** `/inbox` (and `/notifications`, the address kinds without a screen of their own name). */
export async function showInbox(params, options) {
  const screen = showScreen("inbox", "inbox.title", options).firstElementChild;
  const list = slot(screen, "list");
  const more = slot(screen, "more");
  const readAll = slot(screen, "read-all");
  const shown = new Set();
  let page = 0;
  let total = 0;
  let loading = false;

  const showCount = () => {
    const remaining = shown.size < total;
    slot(screen, "count").textContent = remaining ? t("inbox.count", { total, shown: shown.size }) : "";
    more.hidden = !remaining;
    slot(screen, "empty").hidden = total > 0 || shown.size > 0;
    slot(screen, "read-all-item").hidden = !list.querySelector(".message-unread");
  };

  const loadPage = async () => {
    const answer = await cachedRead(`/api/v1/notifications?page=${page + 1}&per_page=${PER_PAGE}`);
    slot(screen, "loading").hidden = true;
    if (!answer.ok) {
      announce(answer.status === 0 ? t("forms.needs_network") : answer.message);
      return [];
    }
    page = answer.body.page;
    total = answer.body.total;
    // Reading moves a message between pages (unread ones come first): never show one twice.
    const rows = answer.body.items.filter((message) => !shown.has(message.id)).map((message) => {
      shown.add(message.id);
      return messageRow(message);
    });
    list.append(...rows);
    showCount();
    return rows;
  };

  more.addEventListener("click", async () => {
    if (loading) {
      return;
    }
    loading = true;
    const rows = await loadPage();
    loading = false;
    rows[0]?.querySelector(".message-title").focus();
  });

  let readingAll = false;
  readAll.addEventListener("click", async () => {
    if (readingAll) {
      return;
    }
    readingAll = true;
    const result = await queueWrite({
      method: "POST", path: "/api/v1/notifications/read-all", label: t("inbox.label_read_all"), ownRefusal: true,
    });
    readingAll = false;
    if (result.state === "failed") {
      announce(result.response.message);
      return;
    }
    for (const row of list.querySelectorAll(".message-unread")) {
      showRead(row);
    }
    showCount();
    screen.querySelector("h1").focus();
    announce(t(result.state === "sent" ? "inbox.all_read" : "outbox.saved_pending"));
    refreshBadge();
  });

  // Something new arrived while the list is open: offered with a button, never pushed in under
  // the person's fingers.
  const fresh = slot(screen, "fresh-item");
  let listed = false;
  const offerFresh = (id) => {
    if (!screen.isConnected) {
      freshListeners.delete(offerFresh);
    } else if (listed && !shown.has(id)) {
      fresh.hidden = false;
    }
  };
  freshListeners.add(offerFresh);
  slot(screen, "fresh").addEventListener("click", () => rerender({ moveFocus: true }));

  await loadPage();
  listed = true;
  refreshBadge();
}
