// The volunteer home: status while waiting for vetting, the on-duty switch, and places for offers,
// tasks and hours (their issues fill them), with links to the profile and availability screens.

import { clearErrors, showErrors } from "./errors.js";
import { loadSweepCheckTexts, t, translate } from "./i18n.js";
import { familyLinks, wireElderSwitch } from "./home.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { afterPaint, announce, showScreen, slot } from "./screen.js";
import { importModule } from "./update.js";

/**
 * A volunteer's write through the outbox, as queueWrite reports it ({state, response}), for
 * handleForm (forms.js). Every caller is a screen that shows a refusal of the first attempt
 * itself, so that refusal is not listed a second time under 未能发送 (ownRefusal).
 */
export function queue(method, path, body, labelKey) {
  return queueWrite({ method, path, body, label: t(labelKey), ownRefusal: true });
}

/**
 * A volunteer's write, through the outbox (kept and sent again if the network drops). Resolves to
 * the API's answer with `pending: true` when it is waiting to be sent; a refusal (409, 422) keeps
 * the server's message and field errors for the error summary.
 */
export async function write(method, path, body, labelKey) {
  const result = await queue(method, path, body, labelKey);
  if (result.state === "pending") {
    return { ok: false, pending: true, status: result.response?.status ?? 0, message: t("outbox.saved_pending"), errors: {} };
  }
  return result.response;
}

/**
 * GET /volunteers/me: the signed-in volunteer's own profile (from this phone's cache when the
 * network is down), or the API's error shape.
 */
export function loadOwnProfile() {
  return cachedRead("/api/v1/volunteers/me");
}

function showStatus(screen, profile) {
  const status = slot(screen, "status");
  const key = { pending: "volunteer.status_pending", suspended: "volunteer.status_suspended" }[profile.status];
  status.hidden = !key;
  status.textContent = key ? t(key) : "";
}

/**
 * The switch shows what the server holds: a refusal (a pending volunteer gets 409
 * volunteer_not_active) puts it back and shows the server's own words in the error summary.
 */
function wireOnDuty(form, profile) {
  const toggle = form.elements.on_duty;
  toggle.checked = profile.on_duty;
  let busy = false;
  toggle.addEventListener("change", async () => {
    if (busy) {
      toggle.checked = !toggle.checked;
      return;
    }
    busy = true;
    const wanted = toggle.checked;
    const answer = await write("PUT", "/api/v1/volunteers/me/on-duty", { on_duty: wanted }, "volunteer.label_on_duty");
    busy = false;
    if (answer.pending) {
      announce(answer.message);
      return;
    }
    if (!answer.ok) {
      toggle.checked = !wanted;
      showErrors(form, { message: answer.message, errors: answer.errors });
      return;
    }
    toggle.checked = answer.body.on_duty;
    clearErrors(form);
    announce(t(answer.body.on_duty ? "volunteer.now_on_duty" : "volunteer.now_off_duty"));
  });
}

/** `/` for a volunteer; `profile` is the read of their profile when home.js has started it. */
export async function showVolunteerHome(user, options, profile = loadOwnProfile()) {
  const answer = await profile;
  const screen = showScreen("volunteer-home", "volunteer.title", options);
  wireElderSwitch(screen);
  slot(screen, "greeting").textContent = t("home.greeting", { name: user.display_name });
  if (user.proxy_for.length) { // family they act for: their homes are one tap away
    slot(screen, "family").hidden = false;
    slot(screen, "family-list").replaceChildren(...familyLinks(user));
  }
  const form = screen.querySelector('[data-form="on-duty"]');
  if (!answer.ok) {
    // A volunteer role without a profile, or no network: say so rather than show a dead switch.
    form.hidden = true;
    const status = slot(screen, "status");
    status.textContent = answer.status === 404 ? t("volunteer.no_profile") : answer.message;
    status.hidden = false;
    return;
  }
  showStatus(screen, answer.body);
  wireOnDuty(form, answer.body);
  showOffersAndTasks(screen);
}

/** The offers, tasks and hours sections (offers.js, tasks.js, timebank.js) in place of their placeholders. */
function showOffersAndTasks(screen) {
  const parts = [["volunteer-offers-heading", "volunteer-offers", () => import("./offers.js"), "fillOffers"],
    ["volunteer-tasks-heading", "volunteer-tasks", () => import("./tasks.js"), "fillTasks"],
    ["volunteer-hours-heading", "volunteer-hours", () => import("./timebank.js"), "fillHours"]];
  // Once the home is painted: the three parts' modules, and what they import that the home has not
  // loaded yet, asked for side by side.
  const painted = afterPaint();
  painted.then(() => [() => import("./forms.js"), () => import("./requests.js"), () => import("./gcj02.js")]
    .forEach((load) => importModule(load).catch(() => {}))); // a failure shows in the part that needs it
  for (const [heading, template, load, fill] of parts) {
    const section = screen.querySelector(`[aria-labelledby="${heading}"]`);
    const part = document.getElementById(template).content.cloneNode(true);
    translate(part);
    section.querySelector(".empty").replaceWith(part);
    painted.then(() => importModule(load)).then((module) => module[fill](section));
  }
  // Visits a worker handed to this volunteer (companionship visits), each with its record form.
  const visits = slot(screen, "visits");
  painted.then(() => importModule(() => import("./visit-kits.js"))).then((module) => module.showDelegatedVisits(visits));
  painted.then(() => showSweepChecksLink(screen));
}

/** 排查任务 (/sweep-checks) on the home while an emergency sweep has given this volunteer households. */
async function showSweepChecksLink(screen) {
  const held = await cachedRead("/api/v1/me/sweep-assignments?per_page=1");
  if (held.ok && held.body.total > 0) {
    await loadSweepCheckTexts();
    slot(screen, "sweep-checks").textContent = t("sweepcheck.menu_count", { count: held.body.total });
    slot(screen, "sweep-checks-item").hidden = false;
  }
}
