// The resident's ask flow, four taps from the home: 我要求助 → what (the community's skills and
// 其他, large buttons with a picture and words) → when (现在 / 今天 / 明天 / 选时间) → the read-back
// ("您要：代购跑腿，今天下午 — 确认发送？") → 确认. Every step has 取消 back to the home. Sending is
// urgent: if it cannot reach the server now, the outbox shows the call screen (never a silent wait).

import { cachedRead } from "./offline-data.js";
import { showErrors } from "./errors.js";
import { formatDateTime, formatTime, language, t } from "./i18n.js";
import { queueWrite, withOffset } from "./outbox.js";
import { navigate } from "./router.js";
import { announce, showScreen, slot } from "./screen.js";

const SVG = "http://www.w3.org/2000/svg";
// Simple pictures drawn here (no external resources); the words on each button carry the meaning.
const PICTURES = {
  companionship: "M12 34a8 8 0 1 1 16 0M20 22a6 6 0 1 0 0-.1M36 34a8 8 0 1 1 16 0M44 22a6 6 0 1 0 0-.1",
  errands: "M12 20h40l-4 24H16zM24 20a8 8 0 0 1 16 0",
  meal_delivery: "M10 36h44M14 36a18 18 0 0 1 36 0M32 14v4",
  home_repair: "M16 48l20-20M36 28a10 10 0 1 0 8-14l-6 6-4-4 6-6a10 10 0 0 0-14 8",
  other: "M32 12a20 20 0 1 0 .1 0M26 26a6 6 0 1 1 8 6v4M32 44v2",
  default: "M32 12l6 14h14l-11 9 4 15-13-9-13 9 4-15-11-9h14z",
};

let flow = null;

function label(term) {
  return language() === "en" ? term.label_en : term.label_zh;
}

function picture(code) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 64 64");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("ask-picture");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", PICTURES[code] || PICTURES.default);
  svg.append(path);
  return svg;
}

function wireCancel(screen) {
  for (const link of screen.querySelectorAll('[data-action="ask-cancel"]')) {
    link.href = flow.subject.base || "/";
  }
}

/** `/ask-for-help`, `/for/<id>/ask-for-help`: step 1, what help. */
export async function showAskForHelp(subject, options) {
  flow = { subject, category: null, categoryLabel: "", when: null };
  const community = await cachedRead("/api/v1/communities/current");
  const screen = showScreen("ask-category", "ask.title", options);
  wireCancel(screen);
  if (subject.actingFor) {
    const banner = slot(screen, "acting-for");
    banner.textContent = t("home.acting_for", { name: subject.name });
    banner.hidden = false;
  }
  const skills = community.ok ? community.body.skills : [];
  const choices = [...skills.map((term) => [term.code, label(term)]), ["other", t("ask.other")]];
  const list = slot(screen, "categories");
  for (const [code, words] of choices) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button ask-choice";
    button.dataset.primary = "";
    const text = document.createElement("span");
    text.textContent = words;
    button.append(picture(code), text);
    button.addEventListener("click", () => {
      flow.category = code;
      flow.categoryLabel = words;
      showWhen();
    });
    item.append(button);
    list.append(item);
  }
}

function at(day, hour, minute = 0) {
  const date = new Date(day);
  date.setHours(hour, minute, 0, 0);
  return date;
}

/** The windows of 今天 and 明天: the rest of today (until 21:00), tomorrow 08:00–18:00. */
function windowFor(choice, now = new Date()) {
  if (choice === "today") {
    const end = at(now, 21);
    return end - now > 30 * 60 * 1000 ? [now, end] : null;
  }
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  return [at(tomorrow, 8), at(tomorrow, 18)];
}

function partOfDay(date) {
  const hour = date.getHours();
  if (hour < 12) {
    return t("ask.morning");
  }
  return hour < 18 ? t("ask.afternoon") : t("ask.evening");
}

function showWhen() {
  const screen = showScreen("ask-when", "ask.when_title");
  wireCancel(screen);
  slot(screen, "what").textContent = t("ask.you_chose", { category: flow.categoryLabel });
  const pick = (choice) => {
    if (choice === "now") {
      flow.when = { body: { asap: true }, words: t("ask.now") };
      return showReadBack();
    }
    if (choice === "choose") {
      return showChooseTime();
    }
    const [start, end] = windowFor(choice);
    flow.when = {
      body: { asap: false, window_start: withOffset(start), window_end: withOffset(end) },
      words: `${t(choice === "today" ? "ask.today" : "ask.tomorrow")}${partOfDay(start)}`,
    };
    return showReadBack();
  };
  if (!windowFor("today")) {
    slot(screen, "today-item").remove();
  }
  for (const button of screen.querySelectorAll("[data-when]")) {
    button.addEventListener("click", () => pick(button.dataset.when));
  }
}

function showChooseTime() {
  const screen = showScreen("ask-time", "ask.time_title");
  wireCancel(screen);
  const form = screen.querySelector('[data-form="ask-time"]');
  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  const pad = (n) => String(n).padStart(2, "0");
  form.elements.day.value = `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}`;
  form.elements.time.value = "09:00";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const start = new Date(`${form.elements.day.value}T${form.elements.time.value}`);
    if (Number.isNaN(start.getTime()) || start < new Date()) {
      showErrors(form, { message: t("error.check_marked"), errors: { time: [t("ask.time_invalid")] } },
        { time: t("ask.time_label") });
      return;
    }
    const end = new Date(start.getTime() + 2 * 60 * 60 * 1000);
    flow.when = {
      body: { asap: false, window_start: withOffset(start), window_end: withOffset(end) },
      words: formatDateTime(start),
    };
    showReadBack();
  });
}

function showReadBack() {
  const screen = showScreen("ask-confirm", "ask.confirm_title");
  wireCancel(screen);
  slot(screen, "read-back").textContent = t("ask.read_back", { category: flow.categoryLabel, when: flow.when.words });
  if (flow.subject.actingFor) {
    const banner = slot(screen, "acting-for");
    banner.textContent = t("home.acting_for", { name: flow.subject.name });
    banner.hidden = false;
  }
  const button = slot(screen, "send");
  let busy = false;
  button.addEventListener("click", async () => {
    if (busy) {
      return;
    }
    busy = true;
    button.setAttribute("aria-disabled", "true");
    announce(t("ask.sending"));
    await send();
    busy = false;
    button.removeAttribute("aria-disabled");
  });
}

async function send() {
  const { subject } = flow;
  const body = { category: flow.category, ...flow.when.body };
  if (subject.actingFor) {
    body.resident_id = Number(subject.base.split("/").pop());
  }
  const result = await queueWrite({
    method: "POST", path: "/api/v1/help-requests", body, label: t("ask.label"), urgent: true, subject,
  });
  if (result.state !== "sent") {
    return; // the outbox showed 没有发出 — 请直接打电话
  }
  flow = null;
  await navigate(`${subject.base}/requests/${result.response.body.id}`);
  announce(t("ask.sent", { time: formatTime(new Date()) }));
}
