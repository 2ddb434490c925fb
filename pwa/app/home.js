// Homes after sign-in: the resident's (长辈版 by default), the same home for a proxy acting for
// a resident within their consent scopes, a chooser for a proxy of several, and a placeholder
// for the roles whose homes come later.

import { api } from "./api.js";
import { dialable, loadStaffTexts, spokenGroups, t } from "./i18n.js";
import { current, remember } from "./preferences.js";
import { navigate } from "./router.js";
import { cachedRead } from "./offline-data.js";
import { afterPaint, announce, showScreen, slot } from "./screen.js";
import { adopt, isStaff, signedInUser, updateSignedInUser } from "./session.js";
import { importModule, importWith } from "./update.js";

let actingForId = null;
let staffHomeLoaded = false;
// Imported by the homes' own modules (requests.js, worker.js, volunteer.js), not at start-up.
const formsModule = () => import("./forms.js");
const errorsModule = () => import("./errors.js");

/**
 * Whose home is shown, and what may be done there. A proxy asks for help and presses SOS only
 * with request_help, sees requests only with view_status and visit summaries only with
 * view_visit_summaries (DESIGN.md §4); "I'm OK" is the resident's own daily sign of life, so
 * nobody presses it for them.
 */
export function subjectFor(user, residentId = null) {
  if (residentId === null && user.roles.includes("resident")) {
    return {
      name: user.resident?.address_as || user.display_name, actingFor: false, base: "",
      gridWorkerPhone: user.resident?.grid_worker_phone || null, communityPhone: user.community_phone,
      may: { askForHelp: true, imOk: true, sos: true, requests: true, visits: true },
    };
  }
  const link = user.proxy_for.find((entry) => entry.resident_id === residentId);
  if (!link) {
    return null;
  }
  const scopes = new Set(link.scopes);
  return {
    name: link.address_as, actingFor: true, base: `/for/${link.resident_id}`, relation: link.relation,
    gridWorkerPhone: link.grid_worker_phone || null, communityPhone: user.community_phone,
    may: {
      askForHelp: scopes.has("request_help"), imOk: false, sos: scopes.has("request_help"),
      requests: scopes.has("view_status"), visits: scopes.has("view_visit_summaries"),
    },
  };
}

/** The phone in the footer for `user`: their (or their relative's) grid worker, else the community. */
export function helpPhoneFor(user) {
  if (!user) {
    return null;
  }
  let subject = null;
  if (actingForId !== null) {
    subject = subjectFor(user, actingForId);
  } else if (user.roles.includes("resident")) {
    subject = subjectFor(user);
  }
  return callFor(subject) ?? callFor({ communityPhone: user.community_phone });
}

/** The number to call for `subject`, and the words for the button. */
export function callFor(subject) {
  if (subject?.gridWorkerPhone) {
    return { phone: subject.gridWorkerPhone, kind: "grid_worker" };
  }
  if (subject?.communityPhone) {
    return { phone: subject.communityPhone, kind: "community" };
  }
  return null;
}

/** Make `link` call `phone`, its words `text` with the number (in spoken groups) at {phone}. */
export function fillCall(link, phone, text) {
  link.href = `tel:${dialable(phone)}`;
  const number = document.createElement("span");
  number.className = "phone";
  number.textContent = spokenGroups(dialable(phone));
  const [before, after] = text.split("{phone}");
  // One span, so the button's flex layout centres the words as one line that wraps as text.
  const words = document.createElement("span");
  words.append(before, number, after ?? "");
  link.replaceChildren(words);
}

/** The 长辈版 switch every home carries. */
export function wireElderSwitch(screen) {
  const toggle = screen.querySelector('[data-action="elder-mode"]');
  toggle.checked = current().elder_mode;
  toggle.addEventListener("change", async () => {
    remember({ elder_mode: toggle.checked });
    const answer = await api("PATCH", "/api/v1/me/preferences", { elder_mode: toggle.checked });
    if (answer.ok) {
      updateSignedInUser({ elder_mode: toggle.checked });
    }
    announce(t(answer.ok ? "settings.saved" : "settings.saved_here"));
  });
}

let imOkTap = null;

/** When 我很好 was pressed on the home, once (null if it was not: the screen was opened otherwise). */
export function takeImOkTap() {
  const tapped = imOkTap;
  imOkTap = null;
  return tapped;
}

function showCareHome(user, subject, options) {
  const screen = showScreen("resident-home", "home.title", options);
  wireElderSwitch(screen);
  slot(screen, "greeting").textContent = t("home.greeting", { name: subject.actingFor ? user.display_name : subject.name });
  if (subject.actingFor) {
    const banner = slot(screen, "acting-for");
    banner.textContent = t("home.acting_for", { name: subject.name });
    banner.hidden = false;
    slot(screen, "choose-other").hidden = user.proxy_for.length < 2;
  }
  const offers = {
    "ask-for-help": subject.may.askForHelp, "im-ok": subject.may.imOk, sos: subject.may.sos,
    requests: subject.may.requests, services: true, // 身边的服务: browsing shows nothing of the resident
    visits: subject.may.visits,
  };
  for (const [name, allowed] of Object.entries(offers)) {
    const item = screen.querySelector(`[data-offer="${name}"]`);
    if (!allowed) {
      item.remove();
    } else if (name !== "requests") {
      item.querySelector("a").href = `${subject.base}/${name}`;
    }
  }
  // 我很好 is one tap: its moment is kept for the screen it opens, which sends it (im-ok.js).
  screen.querySelector('[data-offer="im-ok"] a')?.addEventListener("click", () => { imOkTap = new Date(); });
  const call = callFor(subject);
  const callLink = slot(screen, "call");
  if (call) {
    callLink.href = `tel:${dialable(call.phone)}`;
    callLink.textContent = t(call.kind === "grid_worker" ? "home.call_grid_worker" : "home.call_community");
  } else {
    screen.querySelector('[data-offer="call"]').remove();
  }
  if (subject.may.requests) {
    slot(screen, "requests-heading").textContent = subject.actingFor
      ? t("home.their_requests", { name: subject.name }) : t("home.my_requests");
    const section = screen.querySelector('[data-offer="requests"]');
    afterPaint().then(() => importWith(() => import("./requests.js"), [formsModule, errorsModule]))
      .then(({ fillHomeRequests }) => fillHomeRequests(section, subject));
  }
  // A sweep waiting for her answer (sweep-prompt.js): shown below the call, so nothing above moves.
  const sweepItem = slot(screen, "sweep-item");
  if (subject.actingFor) {
    sweepItem.remove();
  } else {
    afterPaint().then(() => cachedRead("/api/v1/me/sweep-checks")).then((checks) => {
      if (checks.ok && checks.body.items.some((item) => !item.answered)) {
        sweepItem.hidden = false;
      } else {
        sweepItem.remove();
      }
    });
  }
  if (!subject.may.askForHelp && !subject.may.requests && !subject.may.visits) {
    const note = slot(screen, "no-scopes");
    note.textContent = t("home.no_scopes", { name: subject.name });
    note.hidden = false;
  }
}

function showChooser(user, options) {
  const screen = showScreen("chooser", "chooser.title", options);
  wireElderSwitch(screen);
  slot(screen, "choices").replaceChildren(...familyLinks(user, true));
}

/** A list item linking to each family member's home (/for/<id>), as 王奶奶（母亲）. */
export function familyLinks(user, primary = false) {
  return user.proxy_for.map((entry) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.className = primary ? "button" : "button button-secondary";
    link.href = `/for/${entry.resident_id}`;
    if (primary) {
      link.dataset.primary = "";
    }
    link.textContent = entry.relation
      ? t("chooser.entry", { name: entry.address_as, relation: entry.relation }) : entry.address_as;
    item.append(link);
    return item;
  });
}

/** A home's tools and greeting (「您好，陈丽华」) from template `name`; returns the screen. */
function showGreeting(user, name, options) {
  const screen = showScreen(name, "home.title", options);
  wireElderSwitch(screen);
  slot(screen, "greeting").textContent = t("home.greeting", { name: user.display_name });
  return screen;
}

function showPlaceholderHome(user, options) {
  const screen = showGreeting(user, "placeholder-home", options);
  const roles = user.roles.map((role) => t(`role.${role}`)).join(t("role.separator"));
  slot(screen, "roles").textContent = t("home.roles", { roles: roles || t("home.no_roles") });
}

/** `/`: the home of whoever is signed in. Staff, volunteer and provider homes are fetched only
 * for those roles, so a resident's phone downloads none of them. */
export async function showHome(params, options) {
  const user = signedInUser();
  actingForId = null;
  if (user.roles.includes("resident")) {
    showCareHome(user, subjectFor(user), options);
  } else if (isStaff(user)) {
    // The worker home needs worker.js, the modules it imports (fetched side by side with it, not
    // one round trip after another) and the staff strings. The first time, the home's tools and
    // greeting show at once in the same places, and the menu comes in below them.
    const parts = Promise.all([importWith(() => import("./worker.js"),
      [() => import("./worker-lists.js"), formsModule, errorsModule]), loadStaffTexts()]);
    if (!staffHomeLoaded) {
      showGreeting(user, "home-starting", options);
    }
    const [{ showWorkerHome }] = await parts;
    staffHomeLoaded = true;
    showWorkerHome(user, options, wireElderSwitch);
  } else if (user.roles.includes("volunteer")) {
    // A volunteer who also acts for family members: their volunteer home, which links to each
    // family member's home (/for/<id>). Their profile is asked for beside the module.
    const profile = cachedRead("/api/v1/volunteers/me");
    const { showVolunteerHome } = await importWith(() => import("./volunteer.js"), [errorsModule]);
    return showVolunteerHome(user, options, profile);
  } else if (user.proxy_for.length === 1) {
    actingForId = user.proxy_for[0].resident_id;
    showCareHome(user, subjectFor(user, actingForId), options);
  } else if (user.proxy_for.length > 1) {
    showChooser(user, options);
  } else if (user.roles.includes("provider")) {
    const { showProviderHome } = await importModule(() => import("./provider.js"));
    showProviderHome(user, options);
  } else {
    showPlaceholderHome(user, options);
  }
}

/** `/for/<resident id>`: a proxy's home for one of the residents they act for. */
export function showProxyHome([residentId], options) {
  const user = signedInUser();
  const subject = subjectFor(user, Number(residentId));
  if (!subject) {
    return navigate("/", { replace: true });
  }
  actingForId = Number(residentId);
  return showCareHome(user, subject, options);
}

/** Whose page `/for/<id>/…` or `/…` is about, for the screens a home leads to (null: not theirs). */
export function subjectOfPath(residentId) {
  const user = signedInUser();
  if (!user) {
    return null;
  }
  if (residentId === undefined) {
    return user.roles.includes("resident") ? subjectFor(user) : null;
  }
  actingForId = Number(residentId);
  return subjectFor(user, Number(residentId));
}

/**
 * After any sign-in: ask the server who this is (GET /me) and go home. `fallback` is the
 * sign-in answer, used while /me cannot answer.
 */
export async function enter(fallback, message = t("sign_in.signed_in")) {
  const me = await api("GET", "/api/v1/me");
  await adopt(me.ok ? me.body : { proxy_for: [], roles: [], ...fallback });
  await navigate("/", { replace: true });
  announce(message);
}
