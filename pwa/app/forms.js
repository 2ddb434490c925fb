// One way to submit a form, for every screen: a check before asking the server, one submission
// at a time, a busy state, a write kept by the outbox, and the server's refusal in the form's
// error summary (GOV.UK style, see errors.js).

import { clearErrors, showErrors } from "./errors.js";
import { t } from "./i18n.js";
import { announce } from "./screen.js";

/**
 * Flatten the server's nested field errors ({consent: {giver_name: [...]}}) into the form's
 * field names (`consent_giver_name`); list indexes are dropped (the forms have one of each).
 * `rename` maps a flattened name to the form's own where they differ.
 */
export function flatErrors(errors, rename = {}) {
  const flat = {};
  const walk = (value, path) => {
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      const name = path.filter((part) => !/^\d+$/.test(part)).join("_");
      flat[rename[name] ?? name] = value;
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        walk(inner, [...path, key]);
      }
    }
  };
  walk(errors, []);
  return flat;
}

/**
 * A failed answer as the form shows it: a server that cannot be reached says that this needs
 * the network (a write that can wait goes through the outbox and never gets here as a failure).
 */
export function explain(answer) {
  if (answer.reason === "network_unreachable") {
    return { ...answer, message: t("forms.needs_network") };
  }
  return answer;
}

/**
 * One submission of `form` at a time: `check()` returns field errors found before asking the
 * server ({field: [text]}); `submit()` returns the API's answer, or the outbox's report
 * {state, response} (queueWrite). On success `done(answer)`; `pending(report)` when the outbox
 * keeps the write until the phone is online; a refusal goes to the error summary, its field
 * errors flattened (`rename` maps names) and named by `labels()`. `busyText` is read out while
 * the answer is awaited.
 */
export function handleForm(form, {
  check = () => ({}), submit, done, pending = () => announce(t("outbox.saved_pending")), labels = () => ({}), rename = {},
  busyText = () => t("forms.busy"),
}) {
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    const problems = check();
    if (Object.keys(problems).length) {
      showErrors(form, { message: t("error.check_marked"), errors: problems }, labels());
      return;
    }
    busy = true;
    const button = form.querySelector('button[type="submit"]');
    button?.setAttribute("aria-disabled", "true");
    announce(busyText());
    let answer;
    try {
      answer = await submit();
    } finally {
      busy = false;
      button?.removeAttribute("aria-disabled");
      announce("");
    }
    // A write through the outbox reports {state, response}: "pending" waits on this phone.
    if (answer.state === "pending") {
      clearErrors(form);
      await pending(answer);
      return;
    }
    answer = explain(answer.state ? answer.response : answer);
    if (!answer.ok) {
      showErrors(form, { message: answer.message, errors: flatErrors(answer.errors, rename) }, labels());
      return;
    }
    clearErrors(form);
    await done(answer);
  });
}
