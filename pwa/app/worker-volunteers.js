// Vetting volunteers: the community's pending volunteers, each with a form that records an
// identity vetting until a date; the server then makes the volunteer active.

import { queueWrite } from "./outbox.js";
import { t, translate, spokenGroups } from "./i18n.js";
import { announce, slot } from "./screen.js";
import { handleForm } from "./forms.js";
import { load, workerScreen } from "./worker.js";

function vettingForm(volunteer) {
  const fragment = document.getElementById("worker-vetting-form").content.cloneNode(true);
  for (const placeholder of fragment.querySelectorAll("[data-include]")) {
    placeholder.replaceWith(document.getElementById(placeholder.dataset.include).content.cloneNode(true));
  }
  translate(fragment);
  const item = fragment.firstElementChild;
  const form = item.querySelector("form");
  const id = `vetting-${volunteer.id}`;
  const input = form.elements.expires_on;
  input.id = `${id}-expires`;
  slot(form, "expires-label").htmlFor = input.id;
  slot(form, "expires-hint").id = `${id}-hint`;
  slot(form, "expires-error").id = `${id}-error`;
  input.setAttribute("aria-describedby", `${id}-hint`);
  slot(form, "name").id = `${id}-name`;
  slot(form, "name").textContent = volunteer.display_name;
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
      label: t("worker.vetting_label", { name: volunteer.display_name }),
    }),
    pending: () => announce(t("worker.vetting_pending", { name: volunteer.display_name })),
    done() {
      const done = document.createElement("p");
      done.textContent = t("worker.vetted", { name: volunteer.display_name });
      form.replaceChildren(done);
      announce(done.textContent);
    },
  });
  return item;
}

/** `/worker/volunteers`: pending volunteers to vet. */
export async function showVolunteers(params, options) {
  const screen = workerScreen("worker-volunteers", "worker.pending_volunteers", options);
  const answer = await load("/api/v1/volunteers?status=pending&per_page=100");
  if (!answer.ok) {
    return;
  }
  slot(screen, "list").replaceChildren(...answer.body.items.map(vettingForm));
  slot(screen, "empty").hidden = answer.body.items.length > 0;
}
