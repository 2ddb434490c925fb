// A volunteer's own profile (gender, skills, languages, radius, load cap, about) and their
// weekly availability with dated exceptions. Each save is one request; the server checks the rules
// (overlaps, ranges) and its words are shown in the error summary.

import { showErrors } from "./errors.js";
import { handleForm } from "./forms.js";
import { formatDateTime, language, t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { announce, showScreen, slot } from "./screen.js";
import { loadOwnProfile, queue, write } from "./volunteer.js";

const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

/** A term's label in the page's language. */
export function termLabel(term) {
  return language() === "en" ? term.label_en : term.label_zh;
}

/** Fill `container` with one checkbox per term of a community list, ticking `chosen` codes. */
export function fillChoices(container, name, terms, chosen = []) {
  for (const term of terms) {
    const box = document.createElement("div");
    box.className = "switch";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    input.value = term.code;
    input.id = `${container.closest("form").dataset.form}-${name}-${term.code}`;
    input.checked = chosen.includes(term.code);
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = termLabel(term);
    box.append(input, label);
    container.append(box);
  }
}

/** The ticked values of the checkboxes called `name`. */
export function ticked(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
}

function profileLabels() {
  return {
    gender: t("volunteer.gender"), skills: t("volunteer.skills"), languages: t("volunteer.languages"),
    travel_radius_km: t("volunteer.travel_radius"), load_cap: t("volunteer.load_cap"), about: t("volunteer.about"),
  };
}

/** `/volunteer/profile`. */
export async function showVolunteerProfile(params, options) {
  const [profile, community] = await Promise.all([
    loadOwnProfile(), cachedRead("/api/v1/communities/current"),
  ]);
  const screen = showScreen("volunteer-profile", "volunteer.profile_title", options);
  const form = screen.querySelector("form");
  if (!profile.ok || !community.ok) {
    showErrors(form, profile.ok ? community : profile);
    return;
  }
  const mine = profile.body;
  const gender = form.querySelector(`input[name="gender"][value="${mine.gender}"]`);
  if (gender) {
    gender.checked = true;
  }
  fillChoices(slot(screen, "skills"), "skills", community.body.skills, mine.skills);
  fillChoices(slot(screen, "languages"), "languages", community.body.languages, mine.languages);
  form.elements.travel_radius_km.value = mine.travel_radius_km ?? "";
  form.elements.load_cap.value = mine.load_cap ?? "";
  form.elements.about.value = mine.about ?? "";
  handleForm(form, {
    busyText: () => t("volunteer.saving"),
    labels: profileLabels,
    check() {
      const problems = {};
      for (const name of ["travel_radius_km", "load_cap"]) {
        if (!Number.isFinite(Number(form.elements[name].value.trim())) || !form.elements[name].value.trim()) {
          problems[name] = [t("volunteer.not_a_number")];
        }
      }
      return problems;
    },
    submit: () => queue("PATCH", "/api/v1/volunteers/me", {
      gender: form.querySelector('input[name="gender"]:checked')?.value,
      skills: ticked(form, "skills"),
      languages: ticked(form, "languages"),
      travel_radius_km: Number(form.elements.travel_radius_km.value.trim()),
      load_cap: Number(form.elements.load_cap.value.trim()),
      about: form.elements.about.value.trim() || null,
    }, "volunteer.label_profile"),
    done: () => announce(t("volunteer.saved")),
  });
}

function dayName(weekday) {
  return t(`volunteer.weekday_${weekday}`);
}

/** Number the ranges of one day and name their fields and remove buttons after the day. */
function relabel(day, weekday) {
  const ranges = [...day.querySelectorAll(".range")];
  slot(day, "none").hidden = ranges.length > 0;
  ranges.forEach((range, index) => {
    const values = { day: dayName(weekday), n: index + 1 };
    for (const end of ["start", "end"]) {
      const input = range.querySelector(`input[name="${end}"]`);
      input.id = `range-${weekday}-${index}-${end}`;
      const label = slot(range, `${end}-label`);
      label.htmlFor = input.id;
      input.setAttribute("aria-label", t(`volunteer.range_${end}`, values));
    }
    range.querySelector('[data-action="remove-range"]').textContent = t("volunteer.remove_range", {
      day: dayName(weekday),
      start: range.querySelector('input[name="start"]').value || "…",
      end: range.querySelector('input[name="end"]').value || "…",
    });
  });
}

function addRange(day, weekday, slotValues = { start: "", end: "" }) {
  const fragment = document.getElementById("volunteer-range").content.cloneNode(true);
  const range = fragment.querySelector(".range");
  for (const element of range.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  range.querySelector('input[name="start"]').value = slotValues.start;
  range.querySelector('input[name="end"]').value = slotValues.end;
  range.querySelector('[data-action="remove-range"]').addEventListener("click", () => {
    range.remove();
    relabel(day, weekday);
    day.querySelector('[data-action="add-range"]').focus();
  });
  for (const input of range.querySelectorAll("input")) {
    input.addEventListener("change", () => relabel(day, weekday));
  }
  slot(day, "ranges").append(range);
  relabel(day, weekday);
  return range;
}

function buildWeek(container, slots) {
  for (const weekday of WEEKDAYS) {
    const fragment = document.getElementById("volunteer-day").content.cloneNode(true);
    const day = fragment.querySelector(".day");
    day.dataset.weekday = weekday;
    for (const element of day.querySelectorAll("[data-i18n]")) {
      element.textContent = t(element.dataset.i18n);
    }
    slot(day, "day-name").textContent = dayName(weekday);
    container.append(day);
    for (const range of slots.filter((entry) => entry.weekday === weekday)) {
      addRange(day, weekday, range);
    }
    relabel(day, weekday);
    day.querySelector('[data-action="add-range"]').addEventListener("click", () => {
      addRange(day, weekday).querySelector('input[name="start"]').focus();
    });
  }
}

function weekOf(container) {
  const slots = [];
  for (const day of container.querySelectorAll(".day")) {
    for (const range of day.querySelectorAll(".range")) {
      slots.push({
        weekday: Number(day.dataset.weekday),
        start: range.querySelector('input[name="start"]').value.trim(),
        end: range.querySelector('input[name="end"]').value.trim(),
      });
    }
  }
  return slots;
}

/**
 * The server names problems inside one range by its index ({slots: {"3": {end: [...]}}}) and
 * overlaps as a list; both become sentences that say which day and which range.
 */
function slotErrors(errors, slots) {
  const found = errors?.slots;
  if (!found) {
    return errors;
  }
  if (Array.isArray(found)) {
    return { ...errors, slots: found };
  }
  const sentences = [];
  for (const [index, problems] of Object.entries(found)) {
    const entry = slots[Number(index)];
    const sameDay = slots.slice(0, Number(index)).filter((other) => other.weekday === entry?.weekday).length;
    for (const text of Object.values(problems).flat()) {
      sentences.push(entry ? t("volunteer.slot_problem", { day: dayName(entry.weekday), n: sameDay + 1, problem: text })
        : text);
    }
  }
  return { ...errors, slots: sentences };
}

function showExceptions(screen, exceptions) {
  const list = slot(screen, "exceptions");
  list.replaceChildren();
  slot(screen, "no-exceptions").hidden = exceptions.length > 0;
  for (const exception of exceptions) {
    const date = formatDateTime(`${exception.date}T12:00:00Z`, { month: "long", day: "numeric", weekday: "short" });
    const item = document.createElement("li");
    item.className = "exception";
    const words = document.createElement("p");
    words.textContent = exception.available
      ? t("volunteer.exception_only_entry", { date, start: exception.start, end: exception.end })
      : t("volunteer.exception_away_entry", { date });
    if (exception.note) {
      words.textContent += `（${exception.note}）`;
    }
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button button-secondary button-small";
    remove.textContent = t("volunteer.delete_exception", { date });
    remove.addEventListener("click", async () => {
      const answer = await write("DELETE", `/api/v1/volunteers/me/exceptions/${exception.id}`, undefined,
        "volunteer.label_exception_delete");
      if (answer.pending || (!answer.ok && answer.status !== 404)) {
        announce(answer.message);
        return;
      }
      await refreshExceptions(screen);
      announce(t("volunteer.exception_deleted"));
      screen.querySelector("#exceptions-heading").focus();
    });
    item.append(words, remove);
    list.append(item);
  }
}

async function refreshExceptions(screen) {
  const answer = await loadOwnProfile();
  if (answer.ok) {
    showExceptions(screen, answer.body.exceptions);
  }
}

function wireExceptionForm(screen) {
  const form = screen.querySelector('[data-form="exception"]');
  const times = slot(form, "exception-times");
  form.addEventListener("change", () => {
    times.hidden = form.querySelector('input[name="available"]:checked')?.value !== "true";
  });
  const labels = () => ({
    date: t("volunteer.exception_date"), start: t("volunteer.start"), end: t("volunteer.end"),
    note: t("volunteer.exception_note"), available: t("volunteer.exception_kind"),
  });
  handleForm(form, {
    busyText: () => t("volunteer.saving"),
    labels,
    check: () => (form.elements.date.value ? {} : { date: [t("volunteer.missing_date")] }),
    submit() {
      const available = form.querySelector('input[name="available"]:checked')?.value === "true";
      const body = { date: form.elements.date.value, available };
      if (available) {
        body.start = form.elements.start.value.trim();
        body.end = form.elements.end.value.trim();
      }
      if (form.elements.note.value.trim()) {
        body.note = form.elements.note.value.trim();
      }
      return queue("POST", "/api/v1/volunteers/me/exceptions", body, "volunteer.label_exception_add");
    },
    async done() {
      form.reset();
      times.hidden = true;
      await refreshExceptions(screen);
      announce(t("volunteer.exception_added"));
    },
  });
}

/** `/volunteer/availability`: the weekly pattern and the dated exceptions. */
export async function showVolunteerAvailability(params, options) {
  const profile = await loadOwnProfile();
  const screen = showScreen("volunteer-availability", "volunteer.availability_title", options);
  const form = screen.querySelector('[data-form="availability"]');
  if (!profile.ok) {
    showErrors(form, profile);
    return;
  }
  const week = slot(screen, "days");
  buildWeek(week, profile.body.availability);
  showExceptions(screen, profile.body.exceptions);
  wireExceptionForm(screen);
  let sent = [];
  handleForm(form, {
    busyText: () => t("volunteer.saving"),
    labels: () => ({ slots: t("volunteer.availability_title") }),
    submit: async () => {
      sent = weekOf(week);
      const report = await queue("PUT", "/api/v1/volunteers/me/availability", { slots: sent },
        "volunteer.label_availability");
      const answer = report.response;
      return answer && !answer.ok && report.state !== "pending"
        ? { ...report, response: { ...answer, errors: slotErrors(answer.errors, sent) } } : report;
    },
    done: () => announce(t("volunteer.saved")),
  });
}
