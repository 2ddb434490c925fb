// Reads a screen may show from this phone's cache when the network is down: every successful GET
// made through `cachedRead` is kept in IndexedDB for the signed-in person (store.js), and read
// back only for that same person. The screen then says "最后更新 HH:MM" with the oldest fetch time
// of what it shows (the outbox box renders the line; see screenFromCacheAt).

import { api } from "./api.js";
import { onScreenShown } from "./screen.js";
import { signedInUser, userFromCacheAt } from "./session.js";
import { cacheGet, cachePut } from "./store.js";

// The residents search keeps the first page of each search made online, never the pages 「更多」
// adds: offline, a search made before shows its first page; any other says it needs the network.
const FIRST_PAGE_ONLY = /^\/api\/v1\/residents\?/;

// What the current screen shows from the cache: [{screen, path, fetchedAt}]. `screen` is the
// app address the read was made for, so an answer that arrives after the person moved on, or a
// note from an earlier visit of another screen, never marks the next screen.
let notes = [];
const listeners = new Set();

function here() {
  return window.location.pathname;
}

function changed() {
  for (const listener of listeners) {
    listener();
  }
}

function cacheable(path) {
  return !FIRST_PAGE_ONLY.test(path) || new URLSearchParams(path.split("?")[1]).get("page") === "1";
}

/**
 * GET `path` for the signed-in person. Online: the API's answer, kept on this phone for them.
 * With the network unreachable (status 0): their cached copy as {ok: true, status: 200, body,
 * fromCache: true, fetchedAt}, or the network failure when there is none. Any other answer
 * (401, 403, 404…) is the server's word and passes through untouched.
 */
export async function cachedRead(path) {
  const screen = here();
  const user = signedInUser();
  const answer = await api("GET", path);
  if (!user?.id || !cacheable(path)) {
    return answer;
  }
  if (answer.ok) {
    cachePut(user.id, path, answer.body).catch(() => {});
    forget(screen, path);
    return answer;
  }
  if (answer.status !== 0) {
    return answer;
  }
  const entry = await cacheGet(user.id, path).catch(() => null);
  if (!entry || signedInUser()?.id !== user.id) {
    return answer;
  }
  notes.push({ screen, path, fetchedAt: entry.fetched_at });
  changed();
  return { ok: true, status: 200, body: entry.body, replayed: false, fromCache: true, fetchedAt: entry.fetched_at };
}

function forget(screen, path) {
  const before = notes.length;
  notes = notes.filter((note) => note.screen !== screen || note.path !== path);
  if (notes.length !== before) {
    changed();
  }
}

/**
 * When the oldest data on the current screen was fetched, if any of it came from this phone's
 * cache (ISO string), else null. The signed-in person's /me from the cache (an offline start)
 * counts on every screen: names and phones on every screen come from it.
 */
export function screenFromCacheAt() {
  const times = notes.filter((note) => note.screen === here()).map((note) => note.fetchedAt);
  const me = userFromCacheAt();
  if (me) {
    times.push(me);
  }
  if (!times.length) {
    return null;
  }
  return times.reduce((oldest, time) => (Date.parse(time) < Date.parse(oldest) ? time : oldest));
}

/** Call `listener()` whenever what screenFromCacheAt answers may have changed. */
export function onCachedDataChanged(listener) {
  listeners.add(listener);
}

// Each new screen starts with no cached marks but its own (reads made for it before it showed).
onScreenShown(() => {
  notes = notes.filter((note) => note.screen === here());
});
