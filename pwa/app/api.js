// Linli's JSON API as the PWA calls it: same-origin cookies, the CSRF token on every write,
// answers in the page's language, and one shape for every failure.

import { language, t } from "./i18n.js";

const SAFE_METHODS = new Set(["GET", "HEAD"]);

let csrfToken = null;

async function fetchCsrfToken() {
  const answer = await send("GET", "/api/v1/auth/csrf");
  if (!answer.ok) {
    throw answer;
  }
  csrfToken = answer.body.csrf_token;
  return csrfToken;
}

async function send(method, path, body, headers = {}) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "Accept-Language": language(), ...headers },
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return answerOf(fetch(path, init));
}

/**
 * The API's answer to a request already on its way (a fetch() promise), in the shape api()
 * resolves to: first-paint.js asks GET /me before the app's modules have loaded.
 */
export async function answerOf(request) {
  let response;
  try {
    response = await request;
  } catch {
    return failure(0, "network_unreachable", t("error.network"));
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  // A replayed answer (Idempotent-Replayed) may be ids only, or a 204: callers must not rely on
  // its body beyond what the docs promise.
  const replayed = response.headers.get("Idempotent-Replayed") === "true";
  if (response.ok) {
    return { ok: true, status: response.status, body: parsed, replayed };
  }
  if (parsed && typeof parsed.message === "string") {
    // The body's own "status" is the reason phrase ("Forbidden"); keep the number.
    return { ...parsed, ok: false, status: response.status, errors: parsed.errors || {}, replayed };
  }
  return failure(response.status, "unexpected_answer", t("error.network"));
}

function failure(status, reason, message) {
  return { ok: false, status, reason, message, errors: {} };
}

/**
 * Call the API. Resolves to {ok: true, status, body, replayed} or to the error shape
 * {ok: false, status, reason, message, errors}; never rejects. Status 0 means the network (or
 * the server) could not be reached. `headers` adds request headers (the outbox's Idempotency-Key).
 */
export async function api(method, path, body, { headers = {} } = {}) {
  if (SAFE_METHODS.has(method)) {
    return send(method, path, body, headers);
  }
  for (let attempt = 1; ; attempt += 1) {
    if (!csrfToken) {
      try {
        await fetchCsrfToken();
      } catch (answer) {
        return answer;
      }
    }
    const answer = await send(method, path, body, { ...headers, "X-CSRF-Token": csrfToken });
    // A session that ended (sign-out, expiry) takes its token with it: fetch a fresh one once.
    const staleToken = answer.status === 403
      && (answer.reason === "csrf_invalid" || answer.reason === "csrf_missing");
    if (!staleToken || attempt > 1) {
      return answer;
    }
    csrfToken = null;
  }
}

/** Forget the CSRF token (after signing out, the server starts a new session). */
export function forgetCsrfToken() {
  csrfToken = null;
}
