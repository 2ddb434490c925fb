// 走访路线 (docs/visits.md, The day plan): /worker/visits/plan picks a day and lets Linli propose
// the due households in a walking route; /worker/visits/plan/<id> (the calendar's link) shows the
// route as an ordered list — times, walk, wait, what a hand-made order breaks, in words — with a
// sketch drawn from the coordinates (no map tiles), the deferred households with why, move up /
// move down, remove or add a household, an appointment time, print (a one-page list) and the
// calendar export. Changing the day needs the network (the server times the route); the plan
// and its households are kept on this phone, so the route and the visit forms open offline.

import { api } from "./api.js";
import { explain, handleForm } from "./forms.js";
import { showErrors } from "./errors.js";
import { formatTime, t, translate } from "./i18n.js";
import { navigate } from "./router.js";
import { announce, slot } from "./screen.js";
import { signedInUser } from "./session.js";
import { cachePut } from "./store.js";
import { keepVisitKits } from "./visit-kits.js";
import { routeSketch } from "./worker-route-sketch.js";
import { load, workerScreen } from "./worker.js";
import { dayText, householdTitle, localDay } from "./worker-visits.js";

const CLOCK = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** `/worker/visits/plan`: pick a day; my plans. */
export async function showDayPlans(params, options) {
  const screen = workerScreen("worker-visit-plans", "worker.dayplan.title", options);
  const form = screen.querySelector('[data-form="make"]');
  form.elements.date.value = localDay();
  form.elements.date.min = localDay();
  handleForm(form, {
    labels: () => ({ date: t("worker.dayplan.date"), start_time: t("worker.dayplan.start_time"),
      end_time: t("worker.dayplan.end_time") }),
    busyText: () => t("worker.dayplan.planning"),
    check() {
      const problems = {};
      if (!form.elements.date.value) {
        problems.date = [t("worker.dayplan.choose_date")];
      }
      for (const name of ["start_time", "end_time"]) {
        const value = form.elements[name].value.trim();
        if (value && !CLOCK.test(value)) {
          problems[name] = [t("worker.dayplan.clock_format")];
        }
      }
      return problems;
    },
    submit() {
      const body = { date: form.elements.date.value };
      for (const name of ["start_time", "end_time"]) {
        const value = form.elements[name].value.trim();
        if (value) {
          body[name] = value;
        }
      }
      return api("POST", "/api/v1/visit-day-plans", body);
    },
    async done(answer) {
      await navigate(`/worker/visits/plan/${answer.body.id}`);
    },
  });
  const plans = await load("/api/v1/visit-day-plans");
  if (!plans.ok) {
    return;
  }
  slot(screen, "empty").hidden = plans.body.length > 0;
  slot(screen, "list").replaceChildren(...plans.body.map((plan) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.className = "button button-secondary list-button";
    link.href = `/worker/visits/plan/${plan.id}`;
    link.textContent = t("worker.dayplan.entry", { date: dayText(plan.date, { month: "long", day: "numeric", weekday: "long" }),
      count: plan.stops.length, deferred: plan.deferred.length });
    item.append(link);
    return item;
  }));
}

function summaryText(plan) {
  const words = [t("worker.dayplan.summary", { count: plan.stops.length, walk: Math.round(plan.travel_minutes) })];
  if (plan.stops.length) {
    words.push(t("worker.dayplan.summary_times", { start: formatTime(plan.stops[0].start),
      finish: formatTime(plan.stops[plan.stops.length - 1].finish) }));
  }
  if (plan.deferred.length) {
    words.push(t("worker.dayplan.summary_deferred", { count: plan.deferred.length }));
  }
  const late = plan.stops.filter((stop) => stop.violation).length;
  if (late) {
    words.push(t("worker.dayplan.summary_violations", { count: late }));
  }
  return words.join(" ");
}

function violationText(stop) {
  const minutes = Math.max(1, Math.round(stop.violation_minutes ?? 0));
  return t(stop.violation === "late" ? "worker.dayplan.late" : "worker.dayplan.after_day_end", { minutes });
}

function appointmentText(stop) {
  const earliest = formatTime(stop.appointment_earliest);
  const latest = formatTime(stop.appointment_latest ?? stop.appointment_earliest);
  return earliest === latest ? t("worker.dayplan.appointment_at", { time: earliest })
    : t("worker.dayplan.appointment_between", { earliest, latest });
}

/** The same day planned again (households added or removed, appointments), as the API takes it. */
function replanBody(plan, householdIds, appointments) {
  return {
    date: plan.date, start: { latitude: plan.start_latitude, longitude: plan.start_longitude },
    start_time: formatTime(plan.starts_at), end_time: formatTime(plan.ends_at), household_ids: householdIds,
    appointments: Object.entries(appointments).map(([id, window]) => ({ household_id: Number(id), ...window })),
  };
}

function appointmentsOf(plan) {
  const windows = {};
  for (const stop of [...plan.stops, ...plan.deferred]) {
    if (stop.appointment_earliest) {
      windows[stop.household_id] = { earliest: formatTime(stop.appointment_earliest),
        latest: formatTime(stop.appointment_latest ?? stop.appointment_earliest) };
    }
  }
  return windows;
}

/** `/worker/visits/plan/<id>`: one day's route. */
export async function showDayPlan([planId], options) {
  const screen = workerScreen("worker-visit-plan", "worker.dayplan.title", options);
  const path = `/api/v1/visit-day-plans/${planId}`;
  const errorForm = screen.querySelector('[data-form="change"]');
  let plan = null;
  let busy = false;

  /** Send a change; the answer (the plan timed again) is drawn, focus goes to `focus()`. */
  async function change(method, changePath, body, { focus, said }) {
    if (busy) {
      return;
    }
    busy = true;
    announce(t("forms.busy"));
    const answer = explain(await api(method, changePath, body));
    busy = false;
    announce("");
    if (!answer.ok) {
      showErrors(errorForm, { message: answer.message });
      return;
    }
    errorForm.querySelector("[data-error-summary]").hidden = true;
    // The changed day is what this phone shows offline from now on, as if it had been read again.
    const user = signedInUser();
    if (user?.id) {
      cachePut(user.id, path, answer.body).catch(() => {});
    }
    draw(answer.body);
    announce(said);
    focus?.();
    await showCandidates(); // a household taken off the day is offered back
  }

  function move(index, by) {
    const order = plan.stops.map((stop) => stop.household_id);
    const [moved] = order.splice(index, 1);
    order.splice(index + by, 0, moved);
    const title = householdTitle(plan.stops[index], plan.stops[index].residents);
    change("PUT", `${path}/order`, { household_ids: order }, {
      said: t("worker.dayplan.moved", { place: title, position: index + by + 1 }),
      focus: () => {
        const card = screen.querySelector(`[data-household-id="${moved}"]`);
        const button = card?.querySelector(`[data-action="${by < 0 ? "up" : "down"}"]`);
        (button && !button.disabled ? button : card?.querySelector("h3"))?.focus();
      },
    });
  }

  function replan(householdIds, appointments, said, focus) {
    change("POST", "/api/v1/visit-day-plans", replanBody(plan, householdIds, appointments), { said, focus });
  }

  const everyone = () => [...plan.stops, ...plan.deferred].map((stop) => stop.household_id);
  const headingFocus = () => slot(screen, "summary").focus();

  function stopCard(stop, index) {
    const part = document.getElementById("worker-visit-stop").content.cloneNode(true);
    translate(part);
    const root = part.firstElementChild;
    root.dataset.householdId = String(stop.household_id);
    const title = householdTitle(stop, stop.residents);
    const place = [stop.building_label, stop.door_number].filter(Boolean).join(" ");
    slot(root, "title").textContent = t("worker.dayplan.stop_title", { position: stop.position, place });
    slot(root, "title").id = `route-stop-${stop.household_id}`;
    slot(root, "time").textContent = t("worker.dayplan.stop_time", { start: formatTime(stop.start), finish: formatTime(stop.finish) });
    slot(root, "people").textContent = stop.residents.join(t("worker.visits.separator"));
    slot(root, "walk").textContent = stop.wait_minutes >= 1
      ? t("worker.dayplan.walk_wait", { walk: Math.round(stop.walk_minutes), wait: Math.round(stop.wait_minutes) })
      : t("worker.dayplan.walk", { walk: Math.round(stop.walk_minutes) });
    if (stop.appointment_earliest) {
      slot(root, "appointment").hidden = false;
      slot(root, "appointment").textContent = appointmentText(stop);
    }
    if (stop.violation) {
      slot(root, "violation").hidden = false;
      slot(root, "violation").textContent = violationText(stop);
    }
    const up = root.querySelector('[data-action="up"]');
    const down = root.querySelector('[data-action="down"]');
    up.textContent = t("worker.dayplan.up");
    down.textContent = t("worker.dayplan.down");
    up.setAttribute("aria-label", t("worker.dayplan.up_label", { place: title }));
    down.setAttribute("aria-label", t("worker.dayplan.down_label", { place: title }));
    up.disabled = index === 0;
    down.disabled = index === plan.stops.length - 1;
    up.addEventListener("click", () => move(index, -1));
    down.addEventListener("click", () => move(index, 1));
    slot(root, "record").href = `/worker/visits/record/${stop.household_id}`;
    slot(root, "record").setAttribute("aria-describedby", slot(root, "title").id);
    const remove = root.querySelector('[data-action="remove"]');
    remove.textContent = t("worker.dayplan.remove", { place });
    remove.addEventListener("click", () => replan(everyone().filter((id) => id !== stop.household_id),
      appointmentsOf(plan), t("worker.dayplan.removed", { place }), headingFocus));
    appointmentForm(root, stop, place);
    return part;
  }

  function appointmentForm(root, stop, place) {
    const input = root.querySelector('input[name="appointment"]');
    input.id = `route-appointment-${stop.household_id}`;
    slot(root, "appointment-label").htmlFor = input.id;
    slot(root, "appointment-label").textContent = t("worker.dayplan.appointment_time", { place });
    slot(root, "appointment-hint").id = `${input.id}-hint`;
    input.setAttribute("aria-describedby", `${input.id}-hint`);
    if (stop.appointment_earliest) {
      input.value = formatTime(stop.appointment_earliest);
    }
    const opener = root.querySelector('[data-action="appointment-open"]');
    const panel = slot(root, "appointment-form");
    opener.textContent = t(stop.appointment_earliest ? "worker.dayplan.appointment_change" : "worker.dayplan.appointment_open");
    opener.setAttribute("aria-label", t("worker.dayplan.appointment_open_label", { place }));
    opener.addEventListener("click", () => {
      panel.hidden = !panel.hidden;
      opener.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) {
        input.focus();
      }
    });
    const button = root.querySelector('[data-action="appoint"]');
    button.textContent = t("worker.dayplan.appoint");
    button.setAttribute("aria-label", t("worker.dayplan.appoint_label", { place }));
    button.addEventListener("click", () => {
      const value = input.value.trim();
      if (value && !CLOCK.test(value)) {
        showErrors(errorForm, { message: t("worker.dayplan.clock_format") });
        return;
      }
      const windows = appointmentsOf(plan);
      if (value) {
        windows[stop.household_id] = { earliest: value, latest: value };
      } else {
        delete windows[stop.household_id];
      }
      replan(everyone(), windows, value ? t("worker.dayplan.appointed", { place, time: value })
        : t("worker.dayplan.appointment_removed", { place }), headingFocus);
    });
  }

  function deferredItem(stop) {
    const item = document.createElement("li");
    const place = [stop.building_label, stop.door_number].filter(Boolean).join(" ");
    const text = document.createElement("p");
    text.textContent = t("worker.dayplan.deferred_entry", { title: householdTitle(stop, stop.residents),
      reason: t(`worker.dayplan.reason_${stop.reason}`) });
    item.append(text);
    if (stop.reason !== "no_position") {
      const last = document.createElement("button");
      last.type = "button";
      last.className = "button button-secondary list-button no-print";
      last.textContent = t("worker.dayplan.put_last", { place });
      last.addEventListener("click", () => change("PUT", `${path}/order`,
        { household_ids: [...plan.stops.map((entry) => entry.household_id), stop.household_id] },
        { said: t("worker.dayplan.put_last_done", { place }), focus: headingFocus }));
      item.append(last);
    }
    return item;
  }

  async function showCandidates() {
    const days = Math.max(0, Math.round((Date.parse(plan.date) - Date.parse(localDay())) / 86400000));
    const due = await load(`/api/v1/visits/due?within_days=${Math.min(days + 7, 60)}&per_page=100`);
    if (!due.ok || !plan) {
      return;
    }
    keepVisitKits(due.body.items);
    const planned = new Set(everyone());
    const others = due.body.items.filter((entry) => !planned.has(entry.household_id));
    slot(screen, "add-section").hidden = others.length === 0;
    slot(screen, "candidates").replaceChildren(...others.map((entry) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button-secondary list-button";
      const place = [entry.building_label, entry.door_number].filter(Boolean).join(" ");
      button.textContent = t("worker.dayplan.add", { title: householdTitle(entry), date: dayText(entry.next_due_on) });
      button.addEventListener("click", () => replan([...everyone(), entry.household_id], appointmentsOf(plan),
        t("worker.dayplan.added", { place }), headingFocus));
      item.append(button);
      return item;
    }));
  }

  function draw(body) {
    plan = body;
    const date = dayText(plan.date, { month: "long", day: "numeric", weekday: "long" });
    slot(screen, "heading").textContent = t("worker.dayplan.heading", { date });
    document.title = `${t("worker.dayplan.heading", { date })} - ${t("site.name")}`;
    slot(screen, "summary").textContent = summaryText(plan);
    slot(screen, "tools").hidden = false;
    slot(screen, "calendar").href = `${path}/calendar.ics`;
    slot(screen, "route-section").hidden = false;
    slot(screen, "route-empty").hidden = plan.stops.length > 0;
    slot(screen, "stops").replaceChildren(...plan.stops.map((stop, index) => {
      const item = document.createElement("li");
      item.append(stopCard(stop, index));
      return item;
    }));
    slot(screen, "figure").hidden = plan.stops.length === 0;
    slot(screen, "sketch").replaceChildren(...(plan.stops.length ? [routeSketch(plan)] : []));
    slot(screen, "deferred-section").hidden = plan.deferred.length === 0;
    slot(screen, "deferred").replaceChildren(...plan.deferred.map(deferredItem));
    keepVisitKits([...plan.stops, ...plan.deferred].map((stop) => ({ ...stop, residents: stop.people })));
  }

  slot(screen, "print").addEventListener("click", () => window.print());
  const answer = await load(path);
  if (!answer.ok) {
    slot(screen, "summary").textContent = answer.message;
    return;
  }
  draw(answer.body);
  await showCandidates();
}
