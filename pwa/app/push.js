// Web Push on this phone, asked for only from a tap: permission, the browser's subscription with
// Linli's public key, and the server's copy of it; turning it off again; and, when any of that
// cannot work (no push in WeChat or on an iPhone outside the home screen, permission refused, a
// push service out of reach as in mainland China, a refusal from the server), plain words and
// text messages instead.

import { api } from "./api.js";
import { dialable, spokenGroups, t } from "./i18n.js";
import { announce, slot } from "./screen.js";
import { deviceLabel, signedInUser } from "./session.js";

const PREFERENCES = "/api/v1/me/notification-preferences";
const SUBSCRIPTIONS = "/api/v1/push/subscriptions";
// A push service that cannot be reached (Chrome in mainland China) may never answer at all.
const SUBSCRIBE_TIMEOUT_MS = 20000;
// On a first visit the service worker installs after the page has loaded; a tap may come sooner.
const WORKER_TIMEOUT_MS = 10000;

class PushProblem extends Error {
  constructor(reason, message = "") {
    super(message || reason);
    this.reason = reason;
  }
}

function pushable() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** An iPhone or iPad outside the home screen: push needs the app installed there (iOS 16.4+). */
function iosInBrowser() {
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
  return ios && !window.matchMedia?.("(display-mode: standalone)").matches && !navigator.standalone;
}

/** This page's service worker registration once it is active, or null: none on this page yet. */
async function currentRegistration() {
  const registration = await navigator.serviceWorker.getRegistration("/");
  return registration?.active ? registration : null;
}

/** Wait for the service worker (it may still be installing); null when there is none to wait for
 * (service workers blocked, as in some private windows). */
async function activeRegistration() {
  try {
    return await within(navigator.serviceWorker.ready, WORKER_TIMEOUT_MS, "unsupported");
  } catch {
    return null;
  }
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

/** This browser's subscription as the server holds it for the signed-in person, or null. */
async function serverCopy(subscription) {
  const answer = await api("GET", `${SUBSCRIPTIONS}?per_page=100`);
  if (!answer.ok) {
    return answer.status === 0 ? { unknown: true } : null;
  }
  return answer.body.items.find((item) => item.endpoint === subscription.endpoint) ?? null;
}

/**
 * On or off on this phone: "on" needs both the browser's subscription and the server's copy for
 * this person (someone else may have subscribed this browser before). Offline, the browser decides.
 */
async function stateOfThisPhone() {
  if (!pushable()) {
    return "off";
  }
  const registration = await currentRegistration();
  const subscription = registration && (await registration.pushManager.getSubscription());
  if (!subscription) {
    return Notification.permission === "denied" ? "blocked" : "off";
  }
  const copy = await serverCopy(subscription);
  return copy ? "on" : "off";
}

/** `promise`, or a PushProblem(`reason`) once `ms` have passed without an answer. */
function within(promise, ms, reason) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve, reject) => {
      timer = window.setTimeout(() => reject(new PushProblem(reason)), ms);
    }),
  ]).finally(() => window.clearTimeout(timer));
}

/** The browser's subscription from its push service; a push service that refuses or never
 * answers is PushProblem("service"). */
async function subscribeWithin(registration, options) {
  let gaveUp = false;
  const attempt = registration.pushManager.subscribe(options);
  // An answer after we gave up must not leave a subscription nobody knows about.
  attempt.then((late) => gaveUp && late.unsubscribe().catch(() => {}), () => {});
  try {
    return await within(attempt, SUBSCRIBE_TIMEOUT_MS, "service");
  } catch (error) {
    gaveUp = true;
    if (error instanceof PushProblem || error.name === "InvalidStateError") {
      throw error;
    }
    throw new PushProblem("service");
  }
}

async function subscribeBrowser(registration, key) {
  const options = { userVisibleOnly: true, applicationServerKey: keyBytes(key) };
  try {
    return await subscribeWithin(registration, options);
  } catch (error) {
    if (error.name !== "InvalidStateError") {
      throw error;
    }
    // Subscribed before with another server key (the keys were changed): start again.
    await (await registration.pushManager.getSubscription())?.unsubscribe();
    return subscribeWithin(registration, options);
  }
}

/** The whole flow behind the button, from the tap. Resolves when push is on; throws PushProblem. */
async function turnOn() {
  if (!pushable()) {
    throw new PushProblem(iosInBrowser() ? "ios" : "unsupported");
  }
  // Asked only here, from the person's tap: never on load.
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    throw new PushProblem("denied");
  }
  const registration = await activeRegistration();
  if (!registration) {
    throw new PushProblem("unsupported");
  }
  const key = await api("GET", "/api/v1/push/public-key");
  if (!key.ok) {
    throw new PushProblem(key.status === 0 ? "network" : "server", key.message);
  }
  const subscription = await subscribeBrowser(registration, key.body.public_key);
  // toJSON() also carries expirationTime, which the server does not take: send what it does.
  const { endpoint, keys } = subscription.toJSON();
  const saved = await api("POST", SUBSCRIPTIONS, { endpoint, keys, label: deviceLabel() });
  if (!saved.ok) {
    // "On" means the server can reach this phone: without its copy, the browser's is dropped.
    await subscription.unsubscribe().catch(() => {});
    throw new PushProblem(saved.status === 0 ? "network" : "server", saved.message);
  }
  // Someone who asks for push on this phone wants push: switch it back on if they had turned
  // it off for all their phones.
  const preferences = await api("GET", PREFERENCES);
  if (preferences.ok && !preferences.body.push_enabled) {
    const changed = await api("PATCH", PREFERENCES, { push_enabled: true });
    if (changed.ok) {
      preferencesChanged(changed.body);
    }
  }
}

/** Off on this phone: the server forgets it, then the browser. */
async function turnOff() {
  const registration = await currentRegistration();
  const subscription = registration && (await registration.pushManager.getSubscription());
  if (!subscription) {
    return;
  }
  const copy = await serverCopy(subscription);
  if (copy?.id) {
    await api("DELETE", `${SUBSCRIPTIONS}/${copy.id}`);
  }
  // Without the network the server keeps its copy for now; its next push to this browser is
  // answered "gone" by the push service and the server deletes it then.
  await subscription.unsubscribe().catch(() => {});
}

// Settings shows the same preferences in its form: tell it what changed.
function preferencesChanged(body) {
  document.dispatchEvent(new CustomEvent("linli:notification-preferences", { detail: body }));
}

function phoneText(phone) {
  const number = document.createElement("span");
  number.className = "phone";
  number.textContent = spokenGroups(dialable(phone));
  return number;
}

/** `text` with {phone} replaced by the number in spoken groups, kept from wrapping inside. */
function withPhone(element, text, phone) {
  const [before, after] = text.split("{phone}");
  element.replaceChildren(before, phoneText(phone), after ?? "");
}

/** Say what went wrong, plainly, and offer text messages instead (or say they are already on). */
async function explain(panel, problem) {
  const box = slot(panel, "push-problem");
  const text = problem.reason === "server"
    ? problem.message : t(`push.problem_${problem.reason}`);
  slot(panel, "push-problem-text").textContent = text;
  const offer = slot(panel, "sms-offer");
  const smsButton = slot(panel, "sms-on");
  smsButton.hidden = true;
  offer.textContent = "";
  const phone = signedInUser()?.phone;
  const preferences = await api("GET", PREFERENCES);
  if (preferences.ok && (!preferences.body.has_phone || !phone)) {
    offer.textContent = t("push.sms_no_phone");
  } else if (preferences.ok && preferences.body.sms_opt_in) {
    withPhone(offer, t("push.sms_already"), phone);
  } else if (phone) {
    withPhone(offer, t("push.sms_offer"), phone);
    smsButton.hidden = false;
  }
  box.hidden = false;
  box.focus();
}

async function useSms(panel, button) {
  if (button.getAttribute("aria-disabled") === "true") {
    return;
  }
  button.setAttribute("aria-disabled", "true");
  const answer = await api("PATCH", PREFERENCES, { sms_opt_in: true });
  button.removeAttribute("aria-disabled");
  if (!answer.ok) {
    announce(answer.status === 0 ? t("forms.needs_network") : answer.message);
    return;
  }
  preferencesChanged(answer.body);
  button.hidden = true;
  const offer = slot(panel, "sms-offer");
  withPhone(offer, t("push.sms_on"), signedInUser().phone);
  offer.tabIndex = -1;
  offer.focus();
  announce(offer.textContent);
}

function showState(panel, state) {
  slot(panel, "push-state").textContent = t(`push.state_${state}`);
  slot(panel, "push-on").hidden = state === "on";
  slot(panel, "push-off").hidden = state !== "on";
}

/** Wire a push panel (template "push-panel") on the screen just shown. */
export async function showPushPanel(panel) {
  const on = slot(panel, "push-on");
  const off = slot(panel, "push-off");
  let busy = false;
  const busyWith = async (button, words, work) => {
    if (busy) {
      return;
    }
    busy = true;
    button.setAttribute("aria-disabled", "true");
    announce(t(words));
    try {
      await work();
    } finally {
      busy = false;
      button.removeAttribute("aria-disabled");
    }
  };
  on.addEventListener("click", () => busyWith(on, "push.busy", async () => {
    slot(panel, "push-problem").hidden = true;
    try {
      await turnOn();
    } catch (error) {
      announce("");
      showState(panel, await stateOfThisPhone().catch(() => "off"));
      await explain(panel, error instanceof PushProblem ? error : new PushProblem("service"));
      return;
    }
    showState(panel, "on");
    off.focus();
    announce(t("push.turned_on"));
  }));
  off.addEventListener("click", () => busyWith(off, "push.turning_off", async () => {
    await turnOff();
    showState(panel, "off");
    on.focus();
    announce(t("push.turned_off"));
  }));
  const smsButton = slot(panel, "sms-on");
  smsButton.addEventListener("click", () => useSms(panel, smsButton));
  showState(panel, await stateOfThisPhone().catch(() => "off"));
}
