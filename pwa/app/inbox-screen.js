// The inbox (/inbox, and /notifications, the address kinds without a screen of their own name):
// the person's notifications, unread first, 20 at a time with 「更多」; each opens where it leads
// and is read from then on. The badge and the polling are in inbox.js.

import { formatDateTime, t, translate } from "./i18n.js";
import { appPath, markRead, onFreshMessage, refreshBadge } from "./inbox.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { navigate, rerender } from "./router.js";
import { announce, showScreen, slot } from "./screen.js";

const PER_PAGE = 20;
const INBOX_PATH = /^\/(?:inbox|notifications)\/?$/;

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
  onFreshMessage((id) => {
    if (!screen.isConnected) {
      return false;
    }
    if (listed && !shown.has(id)) {
      fresh.hidden = false;
    }
    return true;
  });
  slot(screen, "fresh").addEventListener("click", () => rerender({ moveFocus: true }));

  await loadPage();
  listed = true;
  refreshBadge();
}
