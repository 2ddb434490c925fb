// Who is signed in (GET /api/v1/me, once per visit) and what this browser remembers between
// visits: whether it is signed in and whether a worker linked it to a resident (only such a
// phone may use a PIN), plus a label for its sessions.

import { api } from "./api.js";
import { setTimeZone } from "./i18n.js";
import { PREFERENCE_NAMES, remember } from "./preferences.js";

const SIGNED_IN = "linli.signedIn";
const LINKED_DEVICE = "linli.linkedDevice";

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

/** The signed-in user as /me last described them, or null. */
export function signedInUser() {
  return me;
}

/**
 * Take `user` (a /me answer) as the signed-in person: their preferences, kept on the server so
 * they follow them to a new phone, replace this phone's, and times show in their community's zone.
 */
export function adopt(user) {
  me = user;
  remembered.signedIn = true;
  const prefs = {};
  for (const name of PREFERENCE_NAMES) {
    if (name in user) {
      prefs[name] = user[name];
    }
  }
  remember(prefs);
  if (user.time_zone) {
    setTimeZone(user.time_zone);
  }
  return user;
}

/**
 * Ask the server who this is, but only in a browser that signed in before, so a first visit
 * makes no request that is bound to fail. Resolves to the user or null.
 */
export async function loadSignedInUser() {
  if (!remembered.signedIn) {
    return null;
  }
  const answer = await api("GET", "/api/v1/me");
  if (answer.ok) {
    return adopt(answer.body);
  }
  if (answer.status === 401) {
    forgetUser();
  }
  return null;
}

/** Forget the signed-in user (signed out, or the server ended the session). */
export function forgetUser() {
  me = null;
  remembered.signedIn = false;
}

/** Update the signed-in user's copy after the server changed it (e.g. preferences). */
export function updateSignedInUser(changes) {
  if (me) {
    me = { ...me, ...changes };
  }
}
