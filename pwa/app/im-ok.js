// 我很好 (docs/safety.md, "The PWA"): the resident's daily sign of life. The home's 我很好 button
// is the one tap: home.js notes the moment it is pressed and this screen sends it through the
// outbox with that moment as `occurred_at`, so a tap at 09:30 without signal that arrives at 11:00
// counts as 09:30. The screen then says, in large words, 「今天已报平安 09:30」 — or that it will
// be sent once the phone has signal. Opened any other way (the reminder, Back) it shows today's
// state, and the big button when there is none yet. A resident not enrolled is told whom to call.

import { callFor, fillCall, takeImOkTap } from "./home.js";
import { formatTime, t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { announce, showScreen, slot } from "./screen.js";

const STATUS = "/api/v1/me/check-in";

function showDone(screen, moment, pending) {
  slot(screen, "tap-item").hidden = true;
  slot(screen, "not-enrolled").hidden = true;
  const done = slot(screen, "done");
  done.hidden = false;
  slot(screen, "done-time").textContent = t("imok.done", { time: formatTime(moment) });
  slot(screen, "done-note").textContent = t(pending ? "imok.pending" : "imok.told");
  done.focus();
}

function showNotEnrolled(screen, subject) {
  slot(screen, "tap-item").hidden = true;
  slot(screen, "done").hidden = true;
  slot(screen, "not-enrolled").hidden = false;
  const call = callFor(subject);
  if (call) {
    fillCall(slot(screen, "call"), call.phone, t(call.kind === "grid_worker" ? "imok.call_grid_worker" : "imok.call_community"));
  } else {
    slot(screen, "call-item").remove();
  }
}

async function send(screen, subject, moment) {
  slot(screen, "tap").disabled = true;
  const result = await queueWrite({
    method: "POST", path: STATUS, body: { occurred_at: moment.toISOString() }, label: t("imok.label"),
    ownRefusal: true,
  });
  slot(screen, "tap").disabled = false;
  if (result.state === "failed") {
    if (result.response?.reason === "not_enrolled") {
      showNotEnrolled(screen, subject);
    } else {
      announce(result.response?.message ?? t("error.network"));
    }
    return;
  }
  // A second tap the same day changes nothing: the server keeps (and answers) the first time.
  const first = result.state === "sent" && result.response.body?.checked_in_at;
  showDone(screen, first ? new Date(first) : moment, result.state === "pending");
}

/** `/im-ok`: the resident's own (a relative never checks in for them: docs/pwa.md). */
export async function showImOk(subject, options) {
  const screen = showScreen("im-ok", "imok.title", options);
  slot(screen, "home").href = subject.base || "/";
  slot(screen, "tap").addEventListener("click", () => send(screen, subject, new Date()));
  const tapped = takeImOkTap();
  if (tapped) {
    await send(screen, subject, tapped);
    return;
  }
  const answer = await cachedRead(STATUS);
  if (!answer.ok) {
    return; // offline without a copy: the button is there, and the outbox keeps the tap
  }
  if (!answer.body.enrolled) {
    showNotEnrolled(screen, subject);
  } else if (answer.body.checked_in_today) {
    showDone(screen, new Date(answer.body.checked_in_at), false);
  }
}
