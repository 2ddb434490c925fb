// The volunteer's tasks: the list on their home, and one task with the address, a call button and
// an Amap link (GCJ-02) once it is theirs; check-in and check-out go through the outbox, so they
// work offline and count from the tap (occurred_at); withdrawing takes a reason.

import { clearErrors, showErrors } from "./errors.js";
import { flatErrors } from "./forms.js";
import { dialable, formatTime, spokenGroups, t } from "./i18n.js";
import { amapLink } from "./gcj02.js";
import { cachedRead } from "./offline-data.js";
import { flush, queueWrite } from "./outbox.js";
import { navigate } from "./router.js";
import { categoryLabels, whenWords } from "./requests.js";
import { announce, showScreen, slot } from "./screen.js";

const CURRENT = new Set(["accepted", "in_progress", "completed"]);

function taskItem(task, names) {
  const item = document.createElement("li");
  item.className = "request-card";
  const link = document.createElement("a");
  link.className = "request-link";
  link.href = `/tasks/${task.id}`;
  const what = document.createElement("span");
  what.className = "request-what";
  what.textContent = `${names[task.category] || task.category} · ${whenWords(task)}`;
  const state = document.createElement("span");
  state.className = "request-state";
  state.textContent = t("task.where", { name: task.resident.address_as, building: task.resident.building_label });
  link.append(what, state);
  item.append(link);
  return item;
}

/** Fill the volunteer home's 我的任务 section: tasks accepted, under way or just finished. */
export async function fillTasks(section) {
  const [answer, names] = await Promise.all([cachedRead("/api/v1/help-requests?per_page=20"), categoryLabels()]);
  if (!section.isConnected) {
    return;
  }
  const empty = section.querySelector("[data-slot=tasks-empty]");
  if (!answer.ok) {
    empty.textContent = answer.message;
    return;
  }
  const tasks = answer.body.items.filter((task) => CURRENT.has(task.status));
  empty.textContent = t("task.none");
  empty.hidden = tasks.length > 0;
  section.querySelector("[data-slot=task-list]").replaceChildren(...tasks.map((task) => taskItem(task, names)));
}

function statusWords(task) {
  if (task.status === "completed" || task.status === "confirmed") {
    return t("task.status_done", { hours: task.hours ?? 0 });
  }
  const key = { accepted: "task.status_accepted", in_progress: "task.status_in_progress", cancelled: "task.status_cancelled" }[task.status];
  return t(key || "task.status_other");
}

function fillContact(screen, task) {
  const contact = task.contact;
  const box = slot(screen, "contact");
  if (!contact) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  slot(screen, "full-name").textContent = t("task.full_name", { name: contact.full_name });
  slot(screen, "address").textContent = t("task.address", { address: contact.address });
  const phone = contact.phone || contact.household_phone;
  const call = slot(screen, "call");
  if (phone) {
    call.href = `tel:${dialable(phone)}`;
    call.textContent = t("task.call", { phone: spokenGroups(dialable(phone)) });
  } else {
    slot(screen, "call-item").remove();
  }
  const map = slot(screen, "map");
  if (task.lat !== null && task.lat !== undefined) {
    map.href = amapLink(task.lat, task.lng, contact.address);
  } else {
    slot(screen, "map-item").remove();
  }
}

/** `/tasks/<id>`: one of the volunteer's tasks (from this phone's copy when offline). */
export async function showTask([taskId], options) {
  const [answer, names] = await Promise.all([cachedRead(`/api/v1/help-requests/${taskId}`), categoryLabels()]);
  const screen = showScreen("task", "task.title", options);
  if (!answer.ok) {
    slot(screen, "state").textContent = answer.message;
    return;
  }
  const task = answer.body;
  slot(screen, "what").textContent = `${names[task.category] || task.category} · ${whenWords(task)}`;
  slot(screen, "where").textContent = t("task.where", { name: task.resident.address_as,
    building: task.resident.building_label });
  fillContact(screen, task);
  const form = screen.querySelector('[data-form="visit"]');
  const show = (status, extra = "") => {
    slot(screen, "state").textContent = `${statusWords({ ...task, status })}${extra}`;
    slot(screen, "check-in").hidden = status !== "accepted";
    slot(screen, "check-out").hidden = status !== "in_progress";
    slot(screen, "withdraw").hidden = status !== "accepted";
  };
  show(task.status);
  const visit = async (step, next) => {
    await flush({ force: true }); // a check-in kept offline goes first
    const result = await queueWrite({ method: "POST", path: `/api/v1/help-requests/${task.id}/${step}`, body: {},
      label: t(`task.${step.replace("-", "_")}_label`), stampOccurredAt: true, ownRefusal: true });
    if (result.state === "pending") {
      clearErrors(form);
      show(next, t("task.kept", { time: formatTime(new Date()) }));
      announce(t("task.kept", { time: formatTime(new Date()) }));
      return;
    }
    if (!result.response.ok) {
      showErrors(form, { message: result.response.message, errors: {} });
      return;
    }
    clearErrors(form);
    Object.assign(task, result.response.body || {});
    show(task.status || next);
    announce(t(step === "check-in" ? "task.checked_in" : "task.checked_out"));
  };
  slot(screen, "check-in").addEventListener("click", () => visit("check-in", "in_progress"));
  slot(screen, "check-out").addEventListener("click", () => visit("check-out", "completed"));
  slot(screen, "withdraw").addEventListener("click", () => showWithdraw(task, names));
}

function showWithdraw(task, names) {
  const screen = showScreen("task-withdraw", "task.withdraw_title");
  slot(screen, "what").textContent = `${names[task.category] || task.category} · ${whenWords(task)}`;
  slot(screen, "keep").href = `/tasks/${task.id}`;
  const form = screen.querySelector('[data-form="withdraw"]');
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    const reason = form.elements.reason.value.trim();
    if (!reason) {
      showErrors(form, { message: t("error.check_marked"), errors: { reason: [t("task.reason_missing")] } },
        { reason: t("task.withdraw_reason") });
      return;
    }
    busy = true;
    const result = await queueWrite({ method: "POST", path: `/api/v1/help-requests/${task.id}/withdraw`,
      body: { reason }, label: t("task.withdraw_label"), ownRefusal: true });
    busy = false;
    if (result.state === "failed") {
      showErrors(form, { message: result.response.message, errors: flatErrors(result.response.errors) },
        { reason: t("task.withdraw_reason") });
      return;
    }
    await navigate("/");
    announce(t(result.state === "pending" ? "outbox.saved_pending" : "task.withdrawn"));
  });
}
