// The resident's (or proxy's) requests in plain words: on the home and on their own screen, one
// request with its timeline, cancelling it (with a confirmation, and a reason when the server
// asks for one), and confirming a finished visit with a rating (big stars with words).

import { clearErrors, showErrors } from "./errors.js";
import { flatErrors } from "./forms.js";
import { formatDateTime, formatTime, language, t, translate } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { navigate } from "./router.js";
import { announce, showScreen, slot } from "./screen.js";

const STILL_ON = new Set(["open", "offered", "escalated", "accepted", "in_progress", "completed"]);
const CANCELLABLE = new Set(["open", "offered", "escalated", "accepted"]);

let labels = null;

/** Category code → its words in the current language (the community's skills, 其他, 上门探望, 紧急求助). */
export async function categoryLabels() {
  if (!labels) {
    const answer = await cachedRead("/api/v1/communities/current");
    const found = { other: t("ask.other"), welfare_check: t("req.welfare_check"), sos: t("req.sos") };
    for (const term of answer.ok ? answer.body.skills : []) {
      found[term.code] = language() === "en" ? term.label_en : term.label_zh;
    }
    if (!answer.ok) {
      return found;
    }
    labels = found;
  }
  return labels;
}

/** When it is wanted, in words: 尽快, or the window's start ("5月3日 14:00"). */
export function whenWords(request) {
  return request.asap ? t("req.asap") : formatDateTime(request.window_start);
}

/** Who has the request: the volunteer, or the neighbourhood service (幸福里老年食堂) that took it. */
function helperName(request) {
  return request.volunteer?.display_name || request.provider?.name || t("req.a_volunteer");
}

/** The request's state as the resident reads it ("张阿姨已接单，预计 15:00 到"). */
export function plainStatus(request) {
  const name = helperName(request);
  switch (request.status) {
    case "open":
    case "offered":
      return t("req.status_seeking");
    case "escalated":
      return t("req.status_escalated");
    case "accepted":
      return request.asap ? t("req.status_accepted_asap", { name })
        : t("req.status_accepted", { name, time: formatTime(request.window_start) });
    case "in_progress":
      return t("req.status_in_progress", { name });
    case "completed":
      return t("req.status_completed", { name });
    case "confirmed":
      return t("req.status_confirmed");
    case "cancelled":
      return t("req.status_cancelled");
    default:
      return t("req.status_expired");
  }
}

function listPath(subject, status) {
  const query = new URLSearchParams({ per_page: "20" });
  if (subject.actingFor) {
    query.set("resident_id", subject.base.split("/").pop());
  }
  if (status) {
    query.set("status", status);
  }
  return `/api/v1/help-requests?${query}`;
}

function requestItem(subject, request, names) {
  const item = document.createElement("li");
  item.className = "request-card";
  const link = document.createElement("a");
  link.className = "request-link";
  link.href = `${subject.base}/requests/${request.id}`;
  const what = document.createElement("span");
  what.className = "request-what";
  what.textContent = `${names[request.category] || request.category} · ${whenWords(request)}`;
  const state = document.createElement("span");
  state.className = "request-state";
  state.textContent = plainStatus(request);
  link.append(what, state);
  item.append(link);
  return item;
}

/** Fill the home's 我的求助 section: the requests still going on, newest first. */
export async function fillHomeRequests(section, subject) {
  const [answer, names] = await Promise.all([cachedRead(listPath(subject)), categoryLabels()]);
  if (!answer.ok || !section.isConnected) {
    return;
  }
  if (!section.querySelector("[data-slot=request-list]")) {
    const part = document.getElementById("home-requests").content.cloneNode(true);
    translate(part);
    section.querySelector(".empty")?.replaceWith(part);
    section.querySelector("[data-slot=all-requests] a").href = `${subject.base}/requests`;
  }
  const current = answer.body.items.filter((request) => STILL_ON.has(request.status));
  const list = section.querySelector("[data-slot=request-list]");
  list.replaceChildren(...current.slice(0, 5).map((request) => requestItem(subject, request, names)));
  list.hidden = !current.length;
  section.querySelector("[data-slot=no-requests]").hidden = current.length > 0;
  section.querySelector("[data-slot=all-requests]").hidden = !answer.body.items.length;
}

/** `/requests`, `/for/<id>/requests`: every request, newest first. */
export async function showRequests(subject, options) {
  const [answer, names] = await Promise.all([cachedRead(listPath(subject)), categoryLabels()]);
  const screen = showScreen("requests", "req.title", options);
  slot(screen, "home").href = subject.base || "/";
  if (!answer.ok) {
    slot(screen, "empty").textContent = answer.message;
    return;
  }
  const items = answer.body.items;
  slot(screen, "empty").hidden = items.length > 0;
  slot(screen, "list").replaceChildren(...items.map((request) => requestItem(subject, request, names)));
}

function step(entry) {
  const item = document.createElement("li");
  const time = document.createElement("span");
  time.className = "timeline-time";
  time.textContent = formatDateTime(entry.occurred_at);
  const words = document.createElement("span");
  words.textContent = t(`req.step_${entry.event}`);
  item.append(time, " ", words);
  return item;
}

/** `/requests/<id>`, `/for/<resident>/requests/<id>`: one request, what happens now, what was. */
export async function showRequest(subject, requestId, options) {
  const [answer, names] = await Promise.all([cachedRead(`/api/v1/help-requests/${requestId}`), categoryLabels()]);
  const screen = showScreen("request", "req.detail_title", options);
  slot(screen, "home").href = subject.base || "/";
  slot(screen, "all").href = `${subject.base}/requests`;
  if (!answer.ok) { // e.g. no such request: the heading still says what the screen is
    slot(screen, "what").textContent = t("req.detail_title");
    slot(screen, "state").textContent = answer.message;
    return;
  }
  const request = answer.body;
  slot(screen, "what").textContent = t("req.what", { category: names[request.category] || request.category,
    when: whenWords(request) });
  slot(screen, "state").textContent = plainStatus(request);
  slot(screen, "timeline").replaceChildren(...request.timeline.map(step));
  const mayAct = subject.may.askForHelp;
  if (mayAct && CANCELLABLE.has(request.status)) {
    const cancel = slot(screen, "cancel");
    cancel.hidden = false;
    cancel.addEventListener("click", () => showCancel(subject, request, names));
  }
  if (mayAct && request.status === "completed") {
    wireRating(screen, subject, request);
  }
}

function showCancel(subject, request, names) {
  const screen = showScreen("request-cancel", "req.cancel_title");
  slot(screen, "what").textContent = t("req.what", { category: names[request.category] || request.category,
    when: whenWords(request) });
  slot(screen, "keep").href = `${subject.base}/requests/${request.id}`;
  const form = screen.querySelector('[data-form="cancel"]');
  const reasonField = slot(screen, "reason-field");
  reasonField.hidden = request.status !== "accepted";
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    const reason = form.elements.reason.value.trim();
    const result = await queueWrite({ method: "POST", path: `/api/v1/help-requests/${request.id}/cancel`,
      body: reason ? { reason } : {}, label: t("req.cancel_label"), ownRefusal: true });
    busy = false;
    if (result.state === "pending") {
      clearErrors(form);
      await navigate(`${subject.base}/requests/${request.id}`);
      announce(t("outbox.saved_pending"));
      return;
    }
    const answer = result.response;
    if (!answer.ok) {
      const errors = flatErrors(answer.errors);
      if (errors.reason) {
        reasonField.hidden = false; // the server asks why: a volunteer is already on the way
      }
      showErrors(form, { message: answer.message, errors }, { reason: t("req.cancel_reason") });
      return;
    }
    await navigate(`${subject.base}/requests/${request.id}`);
    announce(t("req.cancelled"));
  });
}

function wireRating(screen, subject, request) {
  const form = screen.querySelector('[data-form="rate"]');
  form.hidden = false;
  slot(screen, "rate-heading").textContent = t("req.rate_heading", { name: helperName(request) });
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    const rating = Number(form.elements.rating.value);
    if (!rating) {
      showErrors(form, { message: t("error.check_marked"), errors: { rating: [t("req.rating_missing")] } },
        { rating: t("req.rating_legend") });
      return;
    }
    busy = true;
    const comment = form.elements.comment.value.trim();
    const result = await queueWrite({ method: "POST", path: `/api/v1/help-requests/${request.id}/confirm`,
      body: comment ? { rating, comment } : { rating }, label: t("req.rate_label"), ownRefusal: true });
    busy = false;
    if (result.state === "pending") {
      clearErrors(form);
      announce(t("outbox.saved_pending"));
      return;
    }
    if (!result.response.ok) {
      showErrors(form, { message: result.response.message, errors: flatErrors(result.response.errors) },
        { rating: t("req.rating_legend"), comment: t("req.comment") });
      return;
    }
    await navigate(`${subject.base}/requests/${request.id}`, { replace: true });
    announce(t("req.thanks"));
  });
}
