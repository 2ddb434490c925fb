// The volunteer's time bank (时间银行): verified hours and hours a worker recorded by hand, shown
// apart; giving verified hours to a family member within this year's cap; the history. The
// volunteer home's 服务时长 section (fillHours) shows the balance and leads here.

import { handleForm } from "./forms.js";
import { formatDateTime, t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { categoryLabels } from "./requests.js";
import { rerender } from "./router.js";
import { announce, showScreen, slot } from "./screen.js";
import { queue } from "./volunteer.js";

const HISTORY_PAGE = 20;

/** Hours as people read them: at most two decimals, no trailing zeros. */
function hoursText(hours) {
  return t("timebank.hours_value", { hours: Number(Number(hours).toFixed(2)) });
}

/** Fill the volunteer home's 服务时长 section: the two balances and the way in. */
export async function fillHours(section) {
  const answer = await cachedRead("/api/v1/timebank/me");
  if (!section.isConnected) {
    return;
  }
  const summary = section.querySelector("[data-slot=hours-summary]");
  summary.textContent = answer.ok
    ? t("timebank.summary", { verified: hoursText(answer.body.verified_hours), recorded: hoursText(answer.body.recorded_hours) })
    : answer.message;
}

function historyWhat(line, names) {
  const category = line.category ? (names[line.category] || line.category) : "";
  switch (line.kind) {
    case "verified":
      return line.worker
        ? t("timebank.line_verified_worker", { category, worker: line.worker.display_name })
        : t(line.confirmed_by === "proxy" ? "timebank.line_verified_proxy" : "timebank.line_verified", { category });
    case "spend":
      return t("timebank.line_spend", { category });
    case "recorded":
      return t("timebank.line_recorded", { reason: line.reason || "" });
    case "gift":
      return t("timebank.line_gift", { name: line.family_member?.address_as || "" });
    default:
      return line.kind;
  }
}

function historyItem(line, names) {
  const item = document.createElement("li");
  item.className = "request-card";
  const what = document.createElement("span");
  what.className = "request-what";
  const sign = line.hours > 0 ? "+" : "−";
  what.textContent = `${sign}${hoursText(Math.abs(line.hours))} · ${historyWhat(line, names)}`;
  const when = document.createElement("span");
  when.className = "request-state";
  when.textContent = t(line.bucket === "recorded" ? "timebank.when_recorded" : "timebank.when",
    { date: formatDateTime(line.occurred_at, { year: "numeric", month: "long", day: "numeric" }) });
  item.append(what, when);
  return item;
}

async function showHistory(screen, names) {
  const list = slot(screen, "history");
  const more = slot(screen, "more");
  let page = 0;
  const load = async () => {
    page += 1;
    const answer = await cachedRead(`/api/v1/timebank/me/history?page=${page}&per_page=${HISTORY_PAGE}`);
    if (!answer.ok) {
      slot(screen, "history-empty").textContent = answer.message;
      slot(screen, "history-empty").hidden = false;
      more.hidden = true;
      return;
    }
    list.append(...answer.body.items.map((line) => historyItem(line, names)));
    slot(screen, "history-empty").hidden = answer.body.total > 0;
    more.hidden = page * HISTORY_PAGE >= answer.body.total;
  };
  more.addEventListener("click", load);
  await load();
}

function fillFamily(screen, form, family) {
  const choices = slot(screen, "family");
  const open = family.filter((member) => member.can_receive);
  slot(screen, "no-family").hidden = open.length > 0;
  form.hidden = open.length === 0;
  choices.replaceChildren(...open.map((member, index) => {
    const box = document.createElement("div");
    box.className = "switch";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "resident_id";
    input.value = String(member.resident_id);
    input.id = `gift-resident-${member.resident_id}`;
    input.checked = open.length === 1 && index === 0;
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = member.hours === null || member.hours === undefined
      ? t("timebank.family_member", { name: member.address_as, relation: member.relation })
      : t("timebank.family_member_hours", { name: member.address_as, relation: member.relation, hours: hoursText(member.hours) });
    box.append(input, label);
    return box;
  }));
}

function giftLabels() {
  return { resident_id: t("timebank.to_whom"), hours: t("timebank.hours"), note: t("timebank.note") };
}

function wireGift(form, summary) {
  handleForm(form, {
    busyText: () => t("timebank.giving"),
    labels: giftLabels,
    check() {
      const problems = {};
      if (!form.querySelector('input[name="resident_id"]:checked')) {
        problems.resident_id = [t("timebank.choose_family")];
      }
      const hours = Number(form.elements.hours.value.trim());
      if (!form.elements.hours.value.trim() || !Number.isFinite(hours) || hours <= 0) {
        problems.hours = [t("timebank.hours_missing")];
      } else if (hours > summary.verified_hours) {
        problems.hours = [t("timebank.hours_too_many", { hours: hoursText(summary.verified_hours) })];
      } else if (hours > summary.gifts.left_hours) {
        problems.hours = [t("timebank.hours_over_cap", { hours: hoursText(summary.gifts.left_hours) })];
      }
      return problems;
    },
    submit: () => queue("POST", "/api/v1/timebank/gifts", {
      resident_id: Number(form.querySelector('input[name="resident_id"]:checked').value),
      hours: Number(form.elements.hours.value.trim()),
      note: form.elements.note.value.trim() || null,
    }, "timebank.label_gift"),
    async done(answer) {
      await rerender();
      announce(t("timebank.given", { hours: hoursText(answer.body.hours) }));
    },
  });
}

/** `/volunteer/timebank`. */
export async function showTimebank(params, options) {
  const [answer, names] = await Promise.all([cachedRead("/api/v1/timebank/me"), categoryLabels()]);
  const screen = showScreen("volunteer-timebank", "timebank.title", options);
  const form = screen.querySelector('[data-form="gift"]');
  if (!answer.ok) {
    const problem = slot(screen, "problem");
    problem.textContent = answer.status === 404 ? t("volunteer.no_profile") : answer.message;
    problem.hidden = false;
    form.hidden = true;
    return;
  }
  const summary = answer.body;
  slot(screen, "verified").textContent = hoursText(summary.verified_hours);
  slot(screen, "recorded").textContent = hoursText(summary.recorded_hours);
  slot(screen, "cap").textContent = t("timebank.cap", {
    year: summary.gifts.year, cap: hoursText(summary.gifts.cap_hours), left: hoursText(summary.gifts.left_hours),
  });
  fillFamily(screen, form, summary.family);
  wireGift(form, summary);
  await showHistory(screen, names);
}
