// Display preferences (elder mode, text size, high contrast, read aloud, language): kept on the
// server so they follow the person, and on this phone so first-paint.js applies them at once.

import { hasCatalogue, loadCatalogue } from "./i18n.js";

const KEY = "linli.preferences";
export const PREFERENCE_NAMES = ["elder_mode", "text_size", "high_contrast", "read_aloud", "language"];
const TEXT_SIZES = ["standard", "large", "extra_large"];
const LANGUAGES = ["zh-CN", "en"];

const listeners = new Set();

/** What this phone remembers ({} when nothing, or storage is switched off). */
export function saved() {
  try {
    const value = JSON.parse(window.localStorage.getItem(KEY) || "null");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

/** The preferences in force: the saved ones, else the defaults of a phone nobody set up. */
export function current() {
  const prefs = saved();
  return {
    elder_mode: prefs.elder_mode === true,
    high_contrast: prefs.high_contrast === true,
    read_aloud: prefs.read_aloud === true,
    text_size: TEXT_SIZES.includes(prefs.text_size) ? prefs.text_size : "standard",
    language: LANGUAGES.includes(prefs.language) ? prefs.language : "zh-CN",
  };
}

/** Put `prefs` on <html> (the same classes first-paint.js sets) and tell the listeners. */
export function apply(prefs) {
  const root = document.documentElement;
  root.classList.toggle("elder-mode", prefs.elder_mode);
  root.classList.toggle("high-contrast", prefs.high_contrast);
  root.classList.toggle("text-large", prefs.text_size === "large");
  root.classList.toggle("text-extra-large", prefs.text_size === "extra_large");
  if (hasCatalogue(prefs.language)) {
    switchLanguage(prefs);
  } else {
    loadCatalogue(prefs.language).then(() => switchLanguage(prefs), () => {});
  }
}

function switchLanguage(prefs) {
  document.documentElement.lang = prefs.language;
  for (const listener of listeners) {
    listener(prefs);
  }
}

/** Remember `changes` on this phone and apply them; returns the preferences now in force. */
export function remember(changes) {
  const next = { ...current() };
  for (const name of PREFERENCE_NAMES) {
    if (changes[name] !== undefined && changes[name] !== null) {
      next[name] = changes[name];
    }
  }
  try {
    window.localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Storage switched off (private mode, some in-app browsers): this visit still shows them.
  }
  apply(next);
  return next;
}

/** Call `listener(prefs)` whenever preferences are applied. */
export function onChange(listener) {
  listeners.add(listener);
}
