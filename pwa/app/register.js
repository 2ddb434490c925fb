// Signing up as a volunteer from the sign-in screen: phone, name, password, gender, skills and the
// grid one lives in, then "waiting for a community worker to check", then the sign-in form.

import { api } from "./api.js";
import { showErrors } from "./errors.js";
import { handleForm } from "./forms.js";
import { t } from "./i18n.js";
import { showScreen, slot } from "./screen.js";
import { fillChoices, ticked } from "./volunteer-profile.js";

function labels() {
  return {
    phone: t("sign_in.phone"), display_name: t("register.name"), password: t("register.password"),
    gender: t("volunteer.gender"), skills: t("volunteer.skills"), grid_id: t("register.area"),
  };
}

function fillAreas(container, areas) {
  if (!areas.length) {
    const note = document.createElement("p");
    note.textContent = t("register.no_areas");
    container.append(note);
    return;
  }
  for (const area of areas) {
    const box = document.createElement("div");
    box.className = "switch";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "grid_id";
    input.value = String(area.id);
    input.id = `register-area-${area.id}`;
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = area.name;
    box.append(input, label);
    container.append(box);
  }
}

function check(form) {
  const problems = {};
  if (!form.elements.phone.value.trim()) {
    problems.phone = [t("sign_in.missing_phone")];
  }
  if (!form.elements.display_name.value.trim()) {
    problems.display_name = [t("register.missing_name")];
  }
  if (!form.elements.password.value) {
    problems.password = [t("register.missing_password")];
  }
  for (const name of ["gender", "grid_id"]) {
    if (!form.querySelector(`input[name="${name}"]:checked`)) {
      problems[name] = [t("volunteer.missing_choice")];
    }
  }
  return problems;
}

/** `/register`: open to anyone; the choices come from the public sign-up list. */
export async function showRegister(params, options) {
  const choices = await api("GET", "/api/v1/communities/current/sign-up-choices");
  const screen = showScreen("register", "register.title", options);
  const form = screen.querySelector("form");
  if (!choices.ok) {
    showErrors(form, choices);
    return;
  }
  fillChoices(slot(screen, "skills"), "skills", choices.body.skills);
  fillAreas(slot(screen, "areas"), choices.body.areas);
  handleForm(form, {
    labels,
    busyText: () => t("register.busy"),
    check: () => check(form),
    submit: () => api("POST", "/api/v1/volunteers/register", {
      phone: form.elements.phone.value.trim(),
      display_name: form.elements.display_name.value.trim(),
      password: form.elements.password.value,
      gender: form.querySelector('input[name="gender"]:checked').value,
      grid_id: Number(form.querySelector('input[name="grid_id"]:checked').value),
      skills: ticked(form, "skills"),
    }),
    // The address stays /register so Back does not resubmit; the next step is signing in.
    done: () => showScreen("registered", "register.done_title"),
  });
}
