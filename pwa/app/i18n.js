// Every visible string comes from the catalogues in /i18n/ (zh-CN by default, en), in the
// language on <html lang>; dates and times are shown in the community's time zone.

import { importModule } from "./update.js";

// zh-CN is loaded before the first screen (main.js), from a modulepreload link at the top of the
// shell, so that the largest start-up file is the first asked for rather than the last; English is
// fetched only by people who chose it, so the catalogue most phones never use costs them nothing.
const CATALOGUES = {};
const LOADERS = {
  "zh-CN": () => importModule(() => import("../i18n/zh-CN.js")),
  en: () => importModule(() => import("../i18n/en.js")),
};
const DEFAULT_TIME_ZONE = "Asia/Shanghai";

let timeZone = DEFAULT_TIME_ZONE;

/** The language the app is shown in: "zh-CN" or "en". */
export function language() {
  return document.documentElement.lang === "en" ? "en" : "zh-CN";
}

/** Whether the catalogue of `lang` is loaded. */
export function hasCatalogue(lang) {
  return lang in CATALOGUES || !(lang in LOADERS);
}

/** Load the catalogue of `lang` if it is not here yet, and zh-CN's (every text falls back to it). */
export async function loadCatalogue(lang) {
  await Promise.all([...new Set(["zh-CN", lang])].filter((name) => !hasCatalogue(name)).map(async (name) => {
    CATALOGUES[name] = (await LOADERS[name]()).default;
  }));
}

const extraTexts = {};

/** Strings of a few screens (zh-CN-<name>.js), fetched once before the first of them: the catalogue
 * every phone loads stays small (en.js holds every key already). */
function loadTexts(name, load) {
  extraTexts[name] ??= Promise.all([importModule(load), loadCatalogue("zh-CN")]).then(([module]) => {
    Object.assign(CATALOGUES["zh-CN"], module.default);
  }).catch((error) => {
    delete extraTexts[name]; // offline before the service worker had it: try again on the next screen
    throw error;
  });
  return extraTexts[name];
}

/** The workers' and admins' screens. */
export const loadStaffTexts = () => loadTexts("staff", () => import("../i18n/zh-CN-staff.js"));

/** The visit record form's. */
export const loadVisitTexts = () => loadTexts("visits", () => import("../i18n/zh-CN-visits.js"));

/** An emergency sweep's assignee list (a volunteer's and a worker's). */
export const loadSweepCheckTexts = () => loadTexts("sweep-checks", () => import("../i18n/zh-CN-sweep-checks.js"));

/** The text for `key` in the current language, with {name} placeholders filled from `values`. */
export function t(key, values = {}) {
  const text = CATALOGUES[language()]?.[key] ?? CATALOGUES["zh-CN"][key];
  if (text === undefined) {
    throw new Error(`No text for ${key}`);
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Fill every [data-i18n] element under `root` with its text. */
export function translate(root) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}

/** Show times in `zone` (an IANA name from /me); an unknown zone keeps the default. It is checked
 * when a time is first shown: Intl's first use loads the zone data, a long task on a slow phone
 * that a home showing no time should not wait for. */
export function setTimeZone(zone) {
  timeZone = zone || DEFAULT_TIME_ZONE;
}

/** `moment` (a Date or an ISO string) as people read it here, e.g. "5月3日 14:05". */
export function formatDateTime(moment, options = { month: "long", day: "numeric", hour: "2-digit", minute: "2-digit" }) {
  const date = moment instanceof Date ? moment : new Date(moment);
  const format = () => new Intl.DateTimeFormat(language(), { ...options, timeZone, hourCycle: "h23" }).format(date);
  try {
    return format();
  } catch (error) {
    if (!(error instanceof RangeError) || timeZone === DEFAULT_TIME_ZONE) {
      throw error;
    }
    timeZone = DEFAULT_TIME_ZONE;
    return format();
  }
}

/** Just the clock time, HH:MM, in the community's zone ("最后更新 14:05"). */
export function formatTime(moment) {
  return formatDateTime(moment, { hour: "2-digit", minute: "2-digit" });
}

/** A phone number in the groups people read aloud (138 0000 0001, 0571 8888 0000). */
export function spokenGroups(digits) {
  if (/^1\d{10}$/.test(digits)) {
    return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`;
  }
  if (/^0\d{10,11}$/.test(digits)) {
    const area = "12".includes(digits[1]) ? 3 : 4; // 010, 020–029 are three digits; the rest four
    const rest = digits.slice(area);
    return `${digits.slice(0, area)} ${rest.slice(0, -4)} ${rest.slice(-4)}`;
  }
  return digits;
}

/** Digits and + only: what a tel: link dials. */
export function dialable(phone) {
  return String(phone || "").replace(/[^\d+]/g, "");
}
