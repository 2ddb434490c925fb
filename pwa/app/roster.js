// The on-duty roster (值班表): who is on duty now, the weekly pattern day by day (a night shift
// may run into the next morning) and the dated overrides not over yet, in the community's time
// zone. Admins change the week as a whole and add or remove overrides; workers only read it
// (the server refuses them anyway). Changes need the network: the server checks overlaps at once.

import { api } from "./api.js";
import { explain, handleForm } from "./forms.js";
import { formatDateTime, t, translate } from "./i18n.js";
import { announce, slot } from "./screen.js";
import { signedInUser } from "./session.js";
import { loadAll } from "./worker-lists.js";
import { load, workerScreen } from "./worker.js";

const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

function dayName(weekday) {
  return t(`volunteer.weekday_${weekday}`);
}

/** "08:00–22:00", or "22:00–次日 08:00" for a range that ends the next day. */
function rangeText(start, end) {
  return end <= start ? t("roster.range_overnight", { start, end }) : t("roster.range", { start, end });
}

function personName(person) {
  return person ? person.display_name : t("roster.nobody");
}

function dateText(date) {
  // Noon UTC is the same calendar day in every zone a community may be in.
  return formatDateTime(`${date}T12:00:00Z`, { month: "long", day: "numeric", weekday: "short" });
}

function showOnDuty(screen, answer) {
  const line = slot(screen, "on-duty");
  if (!answer.ok) {
    line.textContent = answer.message;
    return;
  }
  const { user, source } = answer.body;
  if (!user) {
    line.textContent = t("roster.nobody_now");
  } else {
    line.textContent = t(source === "override" ? "roster.on_duty_override" : "roster.on_duty_now",
      { name: user.display_name });
  }
}

function showWeek(screen, pattern) {
  slot(screen, "week").replaceChildren(...WEEKDAYS.map((weekday) => {
    const shifts = pattern.filter((shift) => shift.weekday === weekday);
    const item = document.createElement("li");
    item.textContent = shifts.length
      ? t("roster.day_entry", {
        day: dayName(weekday),
        shifts: shifts.map((shift) => `${rangeText(shift.start, shift.end)} ${shift.user.display_name}`)
          .join(t("roster.shift_separator")),
      })
      : t("roster.day_nobody", { day: dayName(weekday) });
    return item;
  }));
}

/** Ask the server for who is on duty now, the week and the overrides, and show them. */
async function refresh(screen, admin) {
  const [roster, onDuty] = await Promise.all([load("/api/v1/roster"), load("/api/v1/roster/on-duty")]);
  showOnDuty(screen, onDuty);
  if (!roster.ok) {
    return null;
  }
  slot(screen, "time-zone").textContent = t("roster.time_zone", { zone: roster.body.time_zone });
  showWeek(screen, roster.body.pattern);
  showOverrides(screen, roster.body.overrides, admin);
  return roster.body;
}

function showOverrides(screen, overrides, admin) {
  slot(screen, "no-overrides").hidden = overrides.length > 0;
  slot(screen, "overrides").replaceChildren(...overrides.map((override) => {
    const item = document.createElement("li");
    const words = document.createElement("p");
    const values = { date: dateText(override.date), range: rangeText(override.start, override.end) };
    words.textContent = t("roster.override_entry", { ...values, name: personName(override.user) })
      + (override.note ? t("roster.override_note_after", { note: override.note }) : "");
    item.append(words);
    if (admin) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button-secondary button-small";
      remove.textContent = t("roster.delete_override", values);
      remove.addEventListener("click", () => deleteOverride(screen, override, remove));
      item.append(remove);
    }
    return item;
  }));
}

async function deleteOverride(screen, override, button) {
  if (button.getAttribute("aria-disabled") === "true") {
    return;
  }
  button.setAttribute("aria-disabled", "true");
  const answer = explain(await api("DELETE", `/api/v1/roster/overrides/${override.id}`));
  button.removeAttribute("aria-disabled");
  // Gone already (someone else removed it) is what was wanted: show the list as it is now.
  if (!answer.ok && answer.status !== 404) {
    announce(answer.message);
    return;
  }
  await refresh(screen, true);
  screen.querySelector("#roster-overrides-heading").focus();
  announce(t("roster.override_deleted"));
}

function addOptions(select, people) {
  for (const person of people) {
    const option = document.createElement("option");
    option.value = person.id;
    option.textContent = person.display_name;
    select.append(option);
  }
}

/** Number the shifts of one day and name their fields and remove buttons after the day. */
function relabel(day, weekday) {
  const shifts = [...day.querySelectorAll(".range")];
  slot(day, "none").hidden = shifts.length > 0;
  shifts.forEach((shift, index) => {
    const values = { day: dayName(weekday), n: index + 1 };
    for (const name of ["start", "end", "person"]) {
      const input = name === "person" ? slot(shift, "person") : shift.querySelector(`input[name="${name}"]`);
      input.id = `shift-${weekday}-${index}-${name}`;
      slot(shift, `${name}-label`).htmlFor = input.id;
      input.setAttribute("aria-label", t(`roster.shift_${name}`, values));
    }
    const start = shift.querySelector('input[name="start"]').value.trim() || "…";
    const end = shift.querySelector('input[name="end"]').value.trim() || "…";
    shift.querySelector('[data-action="remove-shift"]').textContent = t("roster.remove_shift",
      { day: dayName(weekday), start, end });
  });
}

function addShift(day, weekday, people, values = { start: "", end: "", user_id: "" }) {
  const shift = document.getElementById("roster-shift").content.cloneNode(true).querySelector(".range");
  translate(shift);
  addOptions(slot(shift, "person"), people);
  shift.querySelector('input[name="start"]').value = values.start;
  shift.querySelector('input[name="end"]').value = values.end;
  slot(shift, "person").value = String(values.user_id);
  shift.querySelector('[data-action="remove-shift"]').addEventListener("click", () => {
    shift.remove();
    relabel(day, weekday);
    day.querySelector('[data-action="add-shift"]').focus();
  });
  // On each keystroke, not on change: a change fires as focus leaves, and the renamed remove
  // button would move the layout under the very tap that moved focus.
  for (const input of shift.querySelectorAll("input")) {
    input.addEventListener("input", () => relabel(day, weekday));
  }
  slot(day, "shifts").append(shift);
  relabel(day, weekday);
  return shift;
}

function buildWeek(container, pattern, people) {
  container.replaceChildren();
  for (const weekday of WEEKDAYS) {
    const day = document.getElementById("roster-day").content.cloneNode(true).querySelector(".day");
    translate(day);
    day.dataset.weekday = weekday;
    slot(day, "day-name").textContent = dayName(weekday);
    const add = day.querySelector('[data-action="add-shift"]');
    add.textContent = t("roster.add_shift", { day: dayName(weekday) });
    add.addEventListener("click", () => {
      addShift(day, weekday, people).querySelector('input[name="start"]').focus();
    });
    container.append(day);
    for (const shift of pattern.filter((entry) => entry.weekday === weekday)) {
      addShift(day, weekday, people, { start: shift.start, end: shift.end, user_id: shift.user.id });
    }
    relabel(day, weekday);
  }
}

/** The shifts in the form, in order, as the API takes them (user_id null when nobody is chosen). */
function weekOf(container) {
  const shifts = [];
  for (const day of container.querySelectorAll(".day")) {
    for (const shift of day.querySelectorAll(".range")) {
      const person = slot(shift, "person").value;
      shifts.push({
        weekday: Number(day.dataset.weekday),
        start: shift.querySelector('input[name="start"]').value.trim(),
        end: shift.querySelector('input[name="end"]').value.trim(),
        user_id: person ? Number(person) : null,
      });
    }
  }
  return shifts;
}

/** "周一 第 1 班：…" for each problem of one shift (`problems` by index into `shifts`). */
function shiftSentences(problems, shifts) {
  const sentences = [];
  for (const [index, texts] of Object.entries(problems)) {
    const shift = shifts[Number(index)];
    const n = shifts.slice(0, Number(index)).filter((other) => other.weekday === shift?.weekday).length + 1;
    for (const problem of [].concat(...Object.values(texts ?? {}))) {
      sentences.push(shift ? t("roster.shift_problem", { day: dayName(shift.weekday), n, problem }) : problem);
    }
  }
  return sentences;
}

/** Problems found before asking the server: every shift needs its two times and a person. */
function checkWeek(shifts) {
  const problems = {};
  shifts.forEach((shift, index) => {
    const texts = [];
    if (!shift.start || !shift.end) {
      texts.push(t("roster.missing_time"));
    }
    if (shift.user_id === null) {
      texts.push(t("roster.missing_person"));
    }
    if (texts.length) {
      problems[index] = { shift: texts };
    }
  });
  return Object.keys(problems).length ? { shifts: shiftSentences(problems, shifts) } : {};
}

/**
 * The server names overlaps as sentences that say the days ({shifts: ["周日 22:00–08:00 与 …"]})
 * and problems in one shift by its index ({shifts: {"3": {end: [...]}}}); both become sentences at
 * the week's field.
 */
function weekErrors(errors, shifts) {
  const found = errors?.shifts;
  if (!found || Array.isArray(found)) {
    return errors;
  }
  return { ...errors, shifts: shiftSentences(found, shifts) };
}

function wireWeekForm(screen, form, people, pattern) {
  const days = slot(form, "days");
  buildWeek(days, pattern, people);
  handleForm(form, {
    labels: () => ({ shifts: t("roster.week") }),
    check: () => checkWeek(weekOf(days)),
    async submit() {
      const shifts = weekOf(days);
      const answer = await api("PUT", "/api/v1/roster/pattern", { shifts });
      return answer.ok ? answer : { ...answer, errors: weekErrors(answer.errors, shifts) };
    },
    async done(answer) {
      showWeek(screen, answer.body.pattern);
      buildWeek(days, answer.body.pattern, people);
      showOnDuty(screen, await load("/api/v1/roster/on-duty"));
      screen.querySelector("#roster-week-heading").focus();
      announce(t("roster.week_saved"));
    },
  });
}

function wireOverrideForm(screen, form, people) {
  addOptions(slot(form, "override-people"), people);
  const labels = () => ({
    date: t("roster.override_date"), start: t("roster.start"), end: t("roster.end"),
    user_id: t("roster.person"), note: t("roster.override_note"),
  });
  handleForm(form, {
    labels,
    check() {
      const problems = {};
      if (!form.elements.date.value) {
        problems.date = [t("roster.missing_date")];
      }
      for (const name of ["start", "end"]) {
        if (!form.elements[name].value.trim()) {
          problems[name] = [t("roster.missing_time")];
        }
      }
      if (!form.elements.user_id.value) {
        problems.user_id = [t("roster.missing_person")];
      }
      return problems;
    },
    submit() {
      const person = form.elements.user_id.value;
      const body = {
        date: form.elements.date.value, start: form.elements.start.value.trim(), end: form.elements.end.value.trim(),
        user_id: person === "nobody" ? null : Number(person),
      };
      if (form.elements.note.value.trim()) {
        body.note = form.elements.note.value.trim();
      }
      return api("POST", "/api/v1/roster/overrides", body);
    },
    async done() {
      form.reset();
      await refresh(screen, true);
      screen.querySelector("#roster-overrides-heading").focus();
      announce(t("roster.override_added"));
    },
  });
}

/** `/roster`: the on-duty roster; its editing forms for admins. */
export async function showRoster(params, options) {
  const screen = workerScreen("roster", "roster.title", options);
  const admin = signedInUser().roles.includes("admin");
  const weekForm = screen.querySelector('[data-form="week"]');
  const overrideForm = screen.querySelector('[data-form="override"]');
  slot(screen, "only-admins").hidden = admin;
  if (!admin) {
    weekForm.remove();
    overrideForm.remove();
    await refresh(screen, false);
    return;
  }
  const [roster, people] = await Promise.all([refresh(screen, true), loadAll("/api/v1/roster/people")]);
  if (!roster || !people.ok) {
    return;
  }
  wireWeekForm(screen, weekForm, people.items, roster.pattern);
  wireOverrideForm(screen, overrideForm, people.items);
  weekForm.hidden = false;
  overrideForm.hidden = false;
}
