// Who is signed in (GET /api/v1/me, once per visit) and what this browser remembers between
// visits: whether it is signed in and whether a worker linked it to a resident (only such a
// phone may use a PIN), plus a label for its sessions. /me is cached in IndexedDB for the last
// signed-in user, so their home renders offline.

import { answerOf, api } from "./api.js";
import { loadCatalogue, setTimeZone } from "./i18n.js";
import { PREFERENCE_NAMES, remember } from "./preferences.js";
import { cacheClear, cacheGet, cachePut } from "./store.js";

const SIGNED_IN = "linli.signedIn";
const LINKED_DEVICE = "linli.linkedDevice";
const LAST_USER = "linli.lastUserId";
const ME = "/api/v1/me";

function read(key) {
  try {
    return window.localStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}

function write(key, on) {
  try {
    if (on) {
      window.localStorage.setItem(key, "1");
    } else {
      window.localStorage.removeItem(key);
    }
  } catch {
    // Storage can be switched off (private mode, some in-app browsers); the server still knows.
  }
}

export const remembered = {
  get signedIn() {
    return read(SIGNED_IN);
  },
  set signedIn(on) {
    write(SIGNED_IN, on);
  },
  get linkedDevice() {
    return read(LINKED_DEVICE);
  },
  set linkedDevice(on) {
    write(LINKED_DEVICE, on);
  },
};

/** A name for this device in the user's list of signed-in devices, e.g. "安卓手机 · 微信". */
export function deviceLabel() {
  const agent = navigator.userAgent;
  const kinds = [
    [/Android/, "安卓手机"], [/iPhone/, "iPhone"], [/iPad/, "iPad"],
    [/Windows/, "Windows 电脑"], [/Macintosh/, "Mac 电脑"], [/Linux|CrOS/, "电脑"],
  ];
  const browsers = [
    [/MicroMessenger/, "微信"], [/Edg\//, "Edge"], [/Firefox\//, "Firefox"],
    [/Chrome\/|Chromium\//, "Chrome"], [/Safari\//, "Safari"],
  ];
  const system = kinds.find(([pattern]) => pattern.test(agent))?.[1] || "设备";
  const browser = browsers.find(([pattern]) => pattern.test(agent))?.[1] || "浏览器";
  return `${system} · ${browser}`;
}

let me = null;
let meFetchedAt = null;
const signInListeners = new Set();

function lastUserId() {
  try {
    const id = Number(window.localStorage.getItem(LAST_USER));
    return Number.isInteger(id) && id > 0 ? id : null;
  } catch {
    return null;
  }
}

function setLastUserId(id) {
  try {
    if (id) {
      window.localStorage.setItem(LAST_USER, String(id));
    } else {
      window.localStorage.removeItem(LAST_USER);
    }
  } catch {
    // Storage switched off: offline start-up simply has no cached person.
  }
}

/** The id of the last person signed in on this phone (kept after a 401, cleared by signing out). */
export function lastSignedInId() {
  return lastUserId();
}

/** When the /me on screen was fetched, if it came from this phone's cache (offline); else null. */
export function userFromCacheAt() {
  return meFetchedAt;
}

/** Call `listener(user)` whenever someone signs in or a visit starts signed in (the outbox sends). */
export function onSignedIn(listener) {
  signInListeners.add(listener);
}

/** The signed-in user as /me last described them, or null. */
export function signedInUser() {
  return me;
}

/**
 * Take `user` (a /me answer) as the signed-in person: their preferences, kept on the server so
 * they follow them to a new phone, replace this phone's, and times show in their community's zone.
 */
export async function adopt(user, { fetchedAt = null } = {}) {
  me = user;
  meFetchedAt = fetchedAt;
  remembered.signedIn = true;
  if (user.id) {
    setLastUserId(user.id);
    if (!fetchedAt) {
      cachePut(user.id, ME, user).catch(() => {});
    }
  }
  const prefs = {};
  for (const name of PREFERENCE_NAMES) {
    if (name in user) {
      prefs[name] = user[name];
    }
  }
  if (prefs.language) {
    await loadCatalogue(prefs.language); // so the screens that follow speak their language at once
  }
  remember(prefs);
  if (user.time_zone) {
    setTimeZone(user.time_zone);
  }
  for (const listener of signInListeners) {
    listener(user);
  }
  return user;
}

/**
 * GET /me; when the network is down, the cached /me of the last person signed in on this phone
 * (adopted with the time it was fetched, for "最后更新"). Resolves to the user or null.
 */
export async function fetchMe(early = null) {
  const answer = await (early ? answerOf(early) : api("GET", ME));
  if (answer.ok) {
    return adopt(answer.body);
  }
  if (answer.status === 0 || answer.status >= 500) {
    const id = lastUserId();
    const cached = id ? await cacheGet(id, ME).catch(() => null) : null;
    if (cached) {
      return adopt(cached.body, { fetchedAt: cached.fetched_at });
    }
  }
  if (answer.status === 401) {
    await sessionEnded();
  }
  return null;
}

/**
 * Ask the server who this is, but only in a browser that signed in before, so a first visit
 * makes no request that is bound to fail. first-paint.js has usually sent that GET /me already
 * (window.linliMe), before the modules loaded: its answer is taken, once, when `strings` (the
 * catalogue's loading) have arrived, since a failure is put in words. Resolves to the user or null.
 */
export async function loadSignedInUser(strings) {
  const early = window.linliMe;
  window.linliMe = null;
  if (!remembered.signedIn) {
    return null;
  }
  await strings;
  return fetchMe(early);
}

/** Forget the signed-in user (signed out, or the server ended the session). */
export function forgetUser() {
  me = null;
  meFetchedAt = null;
  remembered.signedIn = false;
}

/**
 * The server ended the session (expired, or this phone was signed out from elsewhere, e.g. a lost
 * phone): forget the person and the data this phone cached for them, so a lost phone keeps no
 * copy it could show offline. Their outbox items and their id stay, so what waits is sent once
 * the same person signs in again.
 */
export async function sessionEnded() {
  const id = me?.id ?? lastUserId();
  forgetUser();
  if (id) {
    await cacheClear(id).catch(() => {});
  }
}

/**
 * Signed out on purpose: also forget what this phone cached for them. Their outbox items stay,
 * tagged with their id, and are sent only when they sign in again.
 */
export async function forgetUserAndData() {
  const id = me?.id ?? lastUserId();
  forgetUser();
  setLastUserId(null);
  if (id) {
    await cacheClear(id).catch(() => {});
  }
}

/** Update the signed-in user's copy after the server changed it (e.g. preferences). */
export function updateSignedInUser(changes) {
  if (me) {
    me = { ...me, ...changes };
    if (me.id && !meFetchedAt) {
      cachePut(me.id, ME, me).catch(() => {});
    }
  }
}

/** Whether `user` gets the worker home: workers, and admins (the same home over the community). */
export function isStaff(user) {
  return Boolean(user) && (user.roles.includes("worker") || user.roles.includes("admin"));
}
