// Linli's service worker: keeps one version of the app shell in a cache of its own and serves
// the shell from it first, so the app starts without waiting for a weak signal. The API is
// never cached here. backend/pwa.py writes SHELL in (version, cache name, files and hashes).

const SHELL = /* linli:shell */ null;

const PREFIX = "linli-shell-";
const SHELL_URLS = new Set(SHELL.files.map((file) => file.url));

// Install the new version beside the old one. Each file must match the hash the server named,
// so a deployment caught half-way fails the install (and it is tried again later) instead of
// mixing files of two versions. It then waits: only a tap in the page activates it.
self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

async function precache() {
  const cache = await caches.open(SHELL.cache);
  try {
    await Promise.all(SHELL.files.map(async ({ url, integrity }) => {
      const response = await fetch(url, { cache: "no-cache", credentials: "same-origin", integrity });
      if (!response.ok) {
        throw new Error(`${url} answered ${response.status}`);
      }
      await cache.put(url, response);
    }));
  } catch (error) {
    await caches.delete(SHELL.cache);
    throw error;
  }
}

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") {
    self.skipWaiting();
  }
});

// Older versions are dropped only once this one is in charge, after the tap. Claiming takes
// in the page of a first visit (it loaded this same version from the network), so that an
// update after it also waits for a tap instead of switching that page's files underneath it.
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== SHELL.cache) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const key = shellKey(event.request);
  if (key) {
    event.respondWith(fromShell(key, event.request));
  }
});

// The cache entry that answers a request, or null to leave it to the network: the API (which
// carries personal data and must be live), other origins, writes, and unknown files.
function shellKey(request) {
  if (request.method !== "GET") {
    return null;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/api" || url.pathname.startsWith("/api/")) {
    return null;
  }
  if (!url.search && SHELL_URLS.has(url.pathname)) {
    return url.pathname;
  }
  // Any app path (/link/ABCD2345, /index.html) is the shell, as the server answers it; a
  // missing file (with an extension) is left to the server's 404.
  const last = url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
  if (request.mode === "navigate" && (!last.includes(".") || last === "index.html")) {
    return "/";
  }
  return null;
}

async function fromShell(key, request) {
  const cached = await caches.match(key, { cacheName: SHELL.cache });
  return cached || fetch(request);
}

// Web Push (docs/push.md): the payload is {id, kind, title, body, url, urgency}, with no personal
// data. The notification's tag is its id, so a push delivered twice (delivery is at-least-once)
// replaces the first instead of showing twice. Open windows are told, to refresh their badge.
const GENERIC = { title: "邻里提醒", body: "您有一条新提醒，请打开邻里查看。" };

self.addEventListener("push", (event) => {
  event.waitUntil(showPush(event.data));
});

async function showPush(data) {
  let message = {};
  try {
    message = (data && data.json()) || {};
  } catch {
    message = {}; // not JSON: still show something, as a push must be shown
  }
  const id = Number.isInteger(message.id) ? message.id : null;
  const text = (value, fallback) => (typeof value === "string" && value.trim() ? value : fallback);
  await self.registration.showNotification(text(message.title, GENERIC.title), {
    body: text(message.body, GENERIC.body),
    tag: id === null ? "linli" : String(id),
    data: { id, url: typeof message.url === "string" ? message.url : "/inbox" },
    icon: "/icons/icon-192.png",
    badge: "/icons/badge-96.png",
    requireInteraction: message.urgency === "high", // a safety alert stays until someone acts on it
  });
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    client.postMessage({ type: "notification-arrived", id });
  }
}

// A tap opens the notification's screen in a window of the app: the one already open (the page
// marks it read and shows the screen without reloading), else a new one. Only this app's own
// addresses are opened; any other URL (another origin, the API) opens the inbox instead.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const { id = null, url = null } = event.notification.data || {};
  event.waitUntil(openApp(appPath(url), id));
});

function appPath(url) {
  try {
    const target = new URL(url, self.location.origin);
    if (target.origin === self.location.origin && !/^\/api(\/|$)/.test(target.pathname)) {
      return target.pathname + target.search;
    }
  } catch {
    // not a URL at all
  }
  return "/inbox";
}

async function openApp(path, id) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => client.focused)
    || windows.find((client) => client.visibilityState === "visible") || windows[0];
  if (open) {
    open.postMessage({ type: "notification-opened", id, url: path });
    await open.focus().catch(() => {}); // allowed after a real tap; harmless to fail otherwise
    return;
  }
  const opened = await self.clients.openWindow(path);
  opened?.postMessage({ type: "notification-opened", id, url: path });
}
