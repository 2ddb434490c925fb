// Vetting volunteers: the community's pending volunteers, each with a form that records an
// identity vetting until a date (the server then makes the volunteer active); every volunteer,
// filtered by status and home grid; one volunteer's vettings, where a worker records another or
// revokes one with a reason. Vetting writes go through the outbox.

import { queueWrite } from "./outbox.js";
import { formatDateTime, spokenGroups, t, translate } from "./i18n.js";
import { navigate } from "./router.js";
import { announce, slot } from "./screen.js";
import { handleForm } from "./forms.js";
import { loadAll, pagedList } from "./worker-lists.js";
import { fillFacts, linkButton, load, workerScreen } from "./worker.js";

const PER_PAGE = 20;
const STATUSES = ["pending", "active", "suspended"];

/** A copy of <template id="NAME"> with its includes and strings filled in. */
function stamp(name) {
  const fragment = document.getElementById(name).content.cloneNode(true);
  for (const placeholder of fragment.querySelectorAll("[data-include]")) {
    placeholder.replaceWith(document.getElementById(placeholder.dataset.include).content.cloneNode(true));
  }
  translate(fragment);
  return fragment.firstElementChild;
}

function vettingForm(volunteer) {
  const form = stamp("worker-vetting-form").querySelector("form");
  const id = `vetting-${volunteer.id}`;
  const input = form.elements.expires_on;
  input.id = `${id}-expires`;
  slot(form, "expires-label").htmlFor = input.id;
  slot(form, "expires-hint").id = `${id}-hint`;
  slot(form, "expires-error").id = `${id}-error`;
  input.setAttribute("aria-describedby", `${id}-hint`);
  slot(form, "name").id = `${id}-name`;
  slot(form, "name").textContent = volunteer.display_name;
  slot(form, "name").dataset.rowFocus = ""; // 「更多」 moves focus here, not into the date field
  slot(form, "phone").id = `${id}-phone`;
  // Two volunteers may share a name; the phone keeps each form's label unique.
  form.setAttribute("aria-labelledby", `${id}-name ${id}-phone`);
  slot(form, "phone").textContent = t("worker.volunteer_phone", { phone: spokenGroups(volunteer.phone || "") });
  handleForm(form, {
    labels: () => ({ expires_on: t("worker.vetting_expires"), kind: t("worker.vet_identity") }),
    check: () => (input.value ? {} : { expires_on: [t("worker.missing_expiry")] }),
    // Vetting can wait for the network: the outbox keeps it with its Idempotency-Key.
    submit: () => queueWrite({
      method: "POST", path: `/api/v1/volunteers/${volunteer.id}/vettings`,
      body: { kind: "identity", expires_on: input.value },
      label: t("worker.vetting_label", { name: volunteer.display_name }), ownRefusal: true,
    }),
    pending: () => announce(t("worker.vetting_pending", { name: volunteer.display_name })),
    done() {
      const done = document.createElement("p");
      done.textContent = t("worker.vetted", { name: volunteer.display_name });
      form.replaceChildren(done);
      announce(done.textContent);
    },
  });
  return form;
}

/** `/worker/volunteers`: pending volunteers to vet, a page at a time. */
export async function showVolunteers(params, options) {
  const screen = workerScreen("worker-volunteers", "worker.pending_volunteers", options);
  const pending = pagedList(screen, { perPage: PER_PAGE, countKey: "worker.volunteers_shown", build: vettingForm });
  await pending.show("/api/v1/volunteers?status=pending");
}

function volunteerLine(volunteer) {
  const vetted = volunteer.valid_vettings.length
    ? t("worker.valid_vettings", { kinds: volunteer.valid_vettings.map((kind) => t(`worker.vetting.${kind}`))
      .join(t("role.separator")) })
    : t("worker.no_valid_vetting");
  return [volunteer.display_name, spokenGroups(volunteer.phone || ""), t(`worker.volunteer_status.${volunteer.status}`),
    vetted].join(" · ");
}

function addOptions(select, options) {
  for (const [value, text] of options) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = text;
    select.append(option);
  }
}

/** `/worker/volunteers/all`: every volunteer of the community, by status and home grid. */
export async function showAllVolunteers(params, options) {
  const screen = workerScreen("worker-all-volunteers", "worker.all_volunteers", options);
  const form = screen.querySelector("form");
  addOptions(slot(screen, "statuses"), STATUSES.map((status) => [status, t(`worker.volunteer_status.${status}`)]));
  const volunteers = pagedList(screen, {
    perPage: PER_PAGE, countKey: "worker.volunteers_shown",
    build: (volunteer) => linkButton(`/worker/volunteers/${volunteer.id}`, volunteerLine(volunteer)),
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const filters = new URLSearchParams();
    for (const name of ["status", "grid_id"]) {
      if (form.elements[name].value) {
        filters.set(name, form.elements[name].value);
      }
    }
    const query = filters.toString();
    return volunteers.show(query ? `/api/v1/volunteers?${query}` : "/api/v1/volunteers");
  });
  const [grids] = await Promise.all([loadAll("/api/v1/grids"), volunteers.show("/api/v1/volunteers")]);
  addOptions(slot(screen, "grids"), grids.items.map((grid) => [grid.id, grid.name]));
}

function vettingLine(vetting) {
  const parts = [t(`worker.vetting.${vetting.kind}`), t("worker.vetting_until", { date: vetting.expires_on })];
  if (vetting.revoked_at) {
    parts.push(t("worker.vetting_revoked", { time: formatDateTime(vetting.revoked_at), reason: vetting.revoke_reason }));
  } else {
    parts.push(t(vetting.is_valid ? "worker.vetting_valid" : "worker.vetting_expired"));
  }
  if (vetting.note) {
    parts.push(vetting.note);
  }
  return parts.join(" · ");
}

/** Reload `/worker/volunteers/<id>` from the server, focus its vettings and say what happened. */
async function showAgain(volunteerId, message) {
  await navigate(`/worker/volunteers/${volunteerId}`);
  document.getElementById("volunteer-vettings-heading")?.focus();
  announce(message);
}

/** A row for one vetting, with a form to revoke it (with a reason) unless it was revoked already. */
function vettingRow(volunteer, vetting) {
  const row = stamp("worker-revoke-form");
  const line = slot(row, "vetting");
  const form = row.querySelector("form");
  line.textContent = vettingLine(vetting);
  if (vetting.revoked_at) {
    form.remove();
    return row;
  }
  const id = `revoke-${vetting.id}`;
  const input = form.elements.reason;
  line.id = `${id}-line`;
  input.id = `${id}-reason`;
  slot(form, "reason-label").htmlFor = input.id;
  slot(form, "reason-hint").id = `${id}-hint`;
  slot(form, "reason-error").id = `${id}-error`;
  input.setAttribute("aria-describedby", `${id}-hint`);
  form.setAttribute("aria-labelledby", line.id);
  const kind = t(`worker.vetting.${vetting.kind}`);
  slot(form, "revoke").textContent = t("worker.revoke_named", { kind });
  handleForm(form, {
    labels: () => ({ reason: t("worker.revoke_reason") }),
    check: () => (input.value.trim() ? {} : { reason: [t("worker.missing_revoke_reason")] }),
    // Through the outbox like vetting itself; while it waits the screen says the vetting still counts.
    submit: () => queueWrite({
      method: "POST", path: `/api/v1/volunteers/${volunteer.id}/vettings/${vetting.id}/revoke`,
      body: { reason: input.value.trim() },
      label: t("worker.revoke_label", { kind, name: volunteer.display_name }), ownRefusal: true,
    }),
    pending: () => announce(t("worker.revoke_pending", { kind, name: volunteer.display_name })),
    done: () => showAgain(volunteer.id, t("worker.revoked", { kind, name: volunteer.display_name })),
  });
  return row;
}

/** `/worker/volunteers/<id>`: a volunteer's status and vettings; record one, or revoke one. */
export async function showVolunteer([volunteerId], options) {
  const screen = workerScreen("worker-volunteer", "worker.volunteer", options);
  slot(screen, "heading").textContent = t("worker.volunteer");
  const form = screen.querySelector('[data-form="record-vetting"]');
  let volunteer = null;
  const chosenKind = () => form.querySelector('input[name="kind"]:checked')?.value;
  handleForm(form, {
    labels: () => ({ kind: t("worker.vetting_kind"), expires_on: t("worker.vetting_valid_until"),
      note: t("worker.vetting_note") }),
    check() {
      const problems = {};
      if (!chosenKind()) {
        problems.kind = [t("worker.missing_choice", { field: t("worker.vetting_kind") })];
      }
      if (!form.elements.expires_on.value) {
        problems.expires_on = [t("worker.missing_expiry")];
      }
      return problems;
    },
    submit() {
      const body = { kind: chosenKind(), expires_on: form.elements.expires_on.value };
      if (form.elements.note.value.trim()) {
        body.note = form.elements.note.value.trim();
      }
      return queueWrite({
        method: "POST", path: `/api/v1/volunteers/${volunteerId}/vettings`, body,
        label: t("worker.record_vetting_label", { kind: t(`worker.vetting.${body.kind}`), name: volunteer?.display_name ?? "" }),
        ownRefusal: true,
      });
    },
    pending: () => announce(t("worker.record_vetting_pending")),
    done: (answer) => showAgain(volunteerId, t("worker.vetting_recorded", {
      kind: t(`worker.vetting.${answer.body?.kind ?? chosenKind()}`), name: volunteer?.display_name ?? "",
    })),
  });
  const answer = await load(`/api/v1/volunteers/${volunteerId}`);
  if (!answer.ok) {
    return;
  }
  volunteer = answer.body;
  slot(screen, "heading").textContent = volunteer.display_name;
  const change = volunteer.last_status_change;
  fillFacts(slot(screen, "facts"), [
    [t("worker.volunteer_phone_label"), volunteer.phone ? spokenGroups(volunteer.phone) : null],
    [t("worker.volunteer_status_label"), t(`worker.volunteer_status.${volunteer.status}`)],
    [t("worker.last_status_change"), change
      ? t("worker.status_change_entry", { time: formatDateTime(change.changed_at), reason: change.reason }) : null],
  ]);
  const vettings = [...volunteer.vettings].reverse();
  slot(screen, "no-vettings").hidden = vettings.length > 0;
  slot(screen, "vettings").replaceChildren(...vettings.map((vetting) => vettingRow(volunteer, vetting)));
}
