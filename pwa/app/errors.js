// Errors on a form, the GOV.UK way: a summary at the top that takes focus and links to each
// field, and a message at each field tied to its input with aria-describedby.

import { t } from "./i18n.js";
import { markTitleWithErrors } from "./screen.js";

function fieldParts(form, name) {
  const field = form.querySelector(`[data-field="${name}"]`);
  if (!field) {
    return null;
  }
  return { field, input: field.querySelector("input, select, textarea"), message: field.querySelector(".field-error") };
}

function describedBy(input, errorId, present) {
  const ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== errorId);
  if (present) {
    ids.push(errorId);
  }
  if (ids.length) {
    input.setAttribute("aria-describedby", ids.join(" "));
  } else {
    input.removeAttribute("aria-describedby");
  }
}

/** Remove every error from the form. */
export function clearErrors(form) {
  const summary = form.querySelector("[data-error-summary]");
  summary.hidden = true;
  summary.querySelector("[data-error-message]").textContent = "";
  summary.querySelector("[data-error-list]").replaceChildren();
  for (const field of form.querySelectorAll("[data-field]")) {
    const { input, message } = fieldParts(form, field.dataset.field);
    field.classList.remove("field-invalid");
    message.hidden = true;
    message.replaceChildren();
    // A field that is a list (a week of shifts) may hold no input at all yet.
    input?.removeAttribute("aria-invalid");
    if (input) {
      describedBy(input, message.id, false);
    }
  }
  markTitleWithErrors(false);
}

/**
 * Show `message` (the server's, or the form's own) and per-field `errors` ({field: [text]}),
 * then move focus to the summary. `labels` names the fields in the summary's links.
 */
export function showErrors(form, { message, errors = {} }, labels = {}) {
  clearErrors(form);
  const summary = form.querySelector("[data-error-summary]");
  const list = summary.querySelector("[data-error-list]");
  const fieldNames = Object.keys(errors);
  summary.querySelector("[data-error-message]").textContent = message || "";
  for (const name of fieldNames) {
    const texts = [].concat(errors[name]).filter((text) => typeof text === "string");
    if (!texts.length) {
      continue;
    }
    const parts = fieldParts(form, name);
    const item = document.createElement("li");
    if (parts?.input) {
      const link = document.createElement("a");
      link.href = `#${parts.input.id}`;
      link.textContent = `${labels[name] || name}${t("error.label_separator")}${texts.join(" ")}`;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        parts.input.focus();
        parts.field.scrollIntoView({ block: "center" });
      });
      item.append(link);
      parts.field.classList.add("field-invalid");
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = t("error.hidden_prefix");
      parts.message.replaceChildren(hidden, texts.join(" "));
      parts.message.hidden = false;
      parts.input.setAttribute("aria-invalid", "true");
      describedBy(parts.input, parts.message.id, true);
    } else {
      item.textContent = texts.join(" ");
    }
    list.append(item);
  }
  summary.hidden = false;
  markTitleWithErrors(true);
  summary.focus();
}
