// 应急排查, the resident's side (docs/safety.md, "The emergency sweep"): the sweep prompt's
// notification opens 「社区在确认大家是否平安」 with two huge buttons, 我平安 and 我需要帮助. The tap
// goes through the outbox with its own moment as `occurred_at`, so an answer made without signal
// counts when it was made; the screen then says in words what the community now knows. After
// 我平安 she can still say 我需要帮助 (things change); a second 我平安 changes nothing.

import { callFor, fillCall } from "./home.js";
import { formatTime, t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { announce, showScreen, slot } from "./screen.js";

const MINE = "/api/v1/me/sweep-checks";

/** The check this screen is about: that sweep's, else the first still waiting for her answer. */
function chosen(items, sweepId) {
  if (sweepId) {
    return items.find((item) => item.sweep_id === Number(sweepId)) ?? null;
  }
  return items.find((item) => !item.answered && item.sweep_open) ?? items[0] ?? null;
}

function showAnswered(screen, subject, answer, moment, pending) {
  slot(screen, "ask").hidden = true;
  const done = slot(screen, "answered");
  done.hidden = false;
  slot(screen, "answered-text").textContent = t(`sweep.answered_${answer}`, { time: formatTime(moment) });
  slot(screen, "answered-note").textContent = t(pending ? "sweep.pending" : `sweep.told_${answer}`);
  // 我平安 given: 我需要帮助 stays within reach; help asked for: the grid worker's phone.
  slot(screen, "change-item").hidden = answer !== "safe";
  const call = callFor(subject);
  const callItem = slot(screen, "call-item");
  callItem.hidden = answer === "safe" || !call;
  if (call) {
    const key = call.kind === "grid_worker" ? "imok.call_grid_worker" : "imok.call_community";
    fillCall(slot(screen, "call"), call.phone, t(key));
  }
  done.focus();
}

async function send(screen, subject, check, answer, moment) {
  const buttons = screen.querySelectorAll("[data-answer]");
  buttons.forEach((button) => { button.disabled = true; });
  const result = await queueWrite({
    method: "POST", path: `${MINE}/${check.id}`, body: { answer, occurred_at: moment.toISOString() },
    label: t(`sweep.label_${answer}`), ownRefusal: true,
  });
  buttons.forEach((button) => { button.disabled = false; });
  if (result.state === "failed") {
    announce(result.response?.message ?? t("error.network"));
    return;
  }
  const kept = result.state === "sent" && result.response.body?.answered_at;
  showAnswered(screen, subject, answer, kept && result.response.body.answered === answer ? new Date(kept) : moment,
    result.state === "pending");
}

/** `/sweep-prompt`, `/sweep-prompt/<sweep id>`: the resident's own answer to a sweep. */
export async function showSweepPrompt(subject, sweepId, options) {
  const screen = showScreen("sweep-prompt", "sweep.title", options);
  slot(screen, "home").href = subject.base || "/";
  // The buttons work from the first frame: a tap before her checks are read waits for them.
  const found = cachedRead(MINE).then((answer) => ({
    answer, check: answer.ok ? chosen(answer.body.items, sweepId) : null }));
  for (const button of screen.querySelectorAll("[data-answer]")) {
    button.addEventListener("click", async () => {
      const tapped = new Date(); // the answer counts when it was given, whatever comes after
      const { check } = await found;
      if (check?.sweep_open) {
        send(screen, subject, check, button.dataset.answer, tapped);
      }
    });
  }
  const { answer, check } = await found;
  if (!check || !check.sweep_open) {
    slot(screen, "ask").hidden = true;
    const none = slot(screen, "none");
    none.textContent = t(answer.ok ? "sweep.none" : "sweep.unreadable");
    none.hidden = false;
    return;
  }
  slot(screen, "name").textContent = t("sweep.name", { name: check.sweep_name });
  if (check.answered) {
    showAnswered(screen, subject, check.answered, new Date(check.answered_at), false);
  }
}
