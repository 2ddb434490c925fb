// The view layer: one screen at a time from the shell's <template>s, its strings from the
// catalogues, its title, focus and the shell's status line. Markup stays in index.html.

import { t, translate } from "./i18n.js";

let currentTitle = "";
const shownListeners = new Set();

function stamp(name) {
  const template = document.getElementById(name.startsWith("screen-") ? name : `screen-${name}`);
  const fragment = template.content.cloneNode(true);
  // Shared pieces (error summary, home tools) are templates of their own, included by name.
  for (const placeholder of fragment.querySelectorAll("[data-include]")) {
    placeholder.replaceWith(document.getElementById(placeholder.dataset.include).content.cloneNode(true));
  }
  translate(fragment);
  return fragment;
}

/**
 * Replace the screen with a copy of <template id="screen-NAME">, titled t(titleKey).
 * `moveFocus` puts focus on the new heading so screen readers announce it; the first screen of
 * a visit leaves focus where the browser put it.
 */
export function showScreen(name, titleKey, { moveFocus = true, titleValues = {}, path } = {}) {
  if (path !== undefined && path !== window.location.pathname) {
    // Shown for an address the person has already left (router.js): stamped into a detached
    // container, which the screen's own code may go on filling harmlessly.
    const detached = document.createElement("div");
    detached.append(stamp(name));
    return detached;
  }
  const container = document.getElementById("screen");
  container.replaceChildren(stamp(name));
  announce("");
  currentTitle = `${t(titleKey, titleValues)} - ${t("site.name")}`;
  document.title = currentTitle;
  if (moveFocus) {
    container.querySelector("h1")?.focus();
  }
  for (const listener of shownListeners) {
    listener(container);
  }
  return container;
}

let staffText = null;
let staffTemplates = null;

function fetchStaffText(priority = "auto") {
  staffText ??= fetch("/staff.html", { credentials: "same-origin", priority }).then((response) => {
    if (!response.ok) {
      throw new Error(`/staff.html answered ${response.status}`);
    }
    return response.text();
  }).catch((error) => {
    staffText = null;
    throw error;
  });
  return staffText;
}

/**
 * Fetch the staff templates without adding them to the page: the worker home does so once its
 * own reads are in, so that the next staff screen needs no round trip, while parsing the file (a
 * long task on a slow phone) waits until a staff screen needs it.
 */
export function prefetchStaffTemplates() {
  fetchStaffText("low").catch(() => {});
}

/**
 * The workers' and admins' screen templates (staff.html), fetched once before any of their
 * screens and added to the page, so that the shell every phone loads stays small. Offline, the
 * service worker answers from its cache; a failure is tried again on the next staff screen.
 */
export function loadStaffTemplates() {
  staffTemplates ??= fetchStaffText().then((text) => {
    const parsed = new DOMParser().parseFromString(text, "text/html");
    for (const template of parsed.querySelectorAll("template")) {
      if (!document.getElementById(template.id)) {
        document.body.append(document.importNode(template, true));
      }
    }
  }).catch((error) => {
    staffTemplates = null;
    throw error;
  });
  return staffTemplates;
}

/**
 * Resolves once the screen just drawn has been painted (or after 100 ms: a hidden page paints
 * nothing). A home fetches its secondary parts (lists, panels) then, so a slow phone on a fast
 * network paints the home before it compiles their modules.
 */
export function afterPaint() {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(() => {
      clearTimeout(fallback);
      resolve();
    }, 0));
  });
}

/** The element of `container` marked data-slot="NAME". */
export function slot(container, name) {
  return container.querySelector(`[data-slot="${name}"]`);
}

/** Mark the page title as showing errors (GOV.UK: the title starts with 「错误：」). */
export function markTitleWithErrors(hasErrors) {
  document.title = hasErrors ? t("title.error_prefix") + currentTitle : currentTitle;
}

/** A short message in the shell's role="status" line, read out without moving focus. */
export function announce(text) {
  document.getElementById("status").textContent = text;
}

/** Call `listener(container)` after every new screen (read aloud stops, help phone updates). */
export function onScreenShown(listener) {
  shownListeners.add(listener);
}
