// The call-back list (回访): a visit rated 2 stars or less asks the grid's workers to call the
// resident. Open ones first, each with the rating and the resident's words, buttons to call them
// (reading the numbers is recorded, as on the resident's page) and 「已回访」 with what the call
// found; the note goes through the outbox. Then the ones done, with their notes.

import { callItem, waited } from "./alerts.js";
import { handleForm } from "./forms.js";
import { formatDateTime, t, translate } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { queueWrite } from "./outbox.js";
import { categoryLabels } from "./requests.js";
import { announce, slot } from "./screen.js";
import { pagedList } from "./worker-lists.js";
import { workerScreen } from "./worker.js";

/** The card's part that needs a read of its own: whom to call (an audited read). */
async function fillDetails(screen, card, callback, residents) {
  if (callback.comment) {
    const comment = slot(card, "comment");
    comment.hidden = false;
    comment.textContent = t("worker.cb.comment", { comment: callback.comment });
  }
  const resident = callback.status === "open" ? await residents(callback.resident.id) : null;
  if (resident?.ok) {
    const calls = [];
    if (resident.body.phone) {
      calls.push(callItem(resident.body.phone, t("alerts.call_resident", { name: callback.resident.address_as })));
    }
    if (resident.body.household?.phone) {
      calls.push(callItem(resident.body.household.phone, t("alerts.call_household")));
    }
    slot(card, "calls").replaceChildren(...calls);
    slot(screen, "recorded").hidden = false;
  }
}

function doneText(callback) {
  return t("worker.cb.done_entry", { name: callback.done_by?.display_name ?? "", time: formatDateTime(callback.done_at),
    note: callback.note ?? "" });
}

function card(screen, callback, names, residents) {
  const part = document.getElementById("worker-callback-card").content.cloneNode(true);
  part.querySelector("[data-include]").replaceWith(document.getElementById("error-summary").content.cloneNode(true));
  translate(part);
  const root = part.firstElementChild;
  const prefix = `worker-cb-${callback.id}`;
  slot(root, "title").textContent = `${callback.resident.address_as} · ${callback.resident.building_label}`;
  slot(root, "rating").textContent = t("worker.cb.rating", { category: names[callback.category] || callback.category,
    rating: callback.rating ?? "", wait: waited(callback.created_at) });
  slot(root, "request-link").href = `/worker/requests/${callback.help_request_id}`;
  const form = root.querySelector('[data-form="done"]');
  const outcome = slot(root, "outcome");
  if (callback.status !== "open") {
    form.remove();
    slot(root, "calls").remove();
    outcome.hidden = false;
    outcome.textContent = doneText(callback);
  } else {
    const note = form.elements.note;
    note.id = `${prefix}-note`;
    slot(root, "note-label").htmlFor = note.id;
    slot(root, "note-hint").id = `${prefix}-hint`;
    slot(root, "note-error").id = `${prefix}-error`;
    note.setAttribute("aria-describedby", `${prefix}-hint`);
    const finish = (text) => {
      form.hidden = true;
      outcome.hidden = false;
      outcome.textContent = text;
      outcome.focus();
    };
    handleForm(form, {
      labels: () => ({ note: t("worker.cb.note") }),
      check: () => (note.value.trim() ? {} : { note: [t("worker.cb.missing_note")] }),
      submit: () => queueWrite({ method: "POST", path: `/api/v1/callbacks/${callback.id}/done`,
        body: { note: note.value.trim() }, ownRefusal: true,
        label: t("worker.cb.done_label", { name: callback.resident.address_as }) }),
      pending: () => finish(t("worker.cb.pending")),
      done(answer) {
        finish(doneText(answer.body));
        announce(t("worker.cb.recorded"));
      },
    });
  }
  fillDetails(screen, root, callback, residents);
  return part;
}

/** `/worker/callbacks`: the call-backs of the worker's grids (an admin's: the community's). */
export async function showCallbacks(params, options) {
  const screen = workerScreen("worker-callbacks", "worker.cb.title", options);
  const names = await categoryLabels();
  const read = new Map();
  // One read of a resident's numbers however many of their visits were rated low.
  const residents = (id) => {
    if (!read.has(id)) {
      read.set(id, cachedRead(`/api/v1/residents/${id}`));
    }
    return read.get(id);
  };
  const lists = ["open", "done"].map((status) => ({
    status,
    list: pagedList(screen, {
      perPage: 20, countKey: "worker.cb.shown", countAll: false,
      list: `${status}-list`, more: `${status}-more`, count: `${status}-count`, empty: `${status}-empty`,
      build: (callback) => card(screen, callback, names, residents),
    }),
  }));
  await Promise.all(lists.map(({ status, list }) => list.show(`/api/v1/callbacks?status=${status}`)));
}
