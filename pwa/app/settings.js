// Settings: elder mode, text size, high contrast, read aloud and language. Each change shows at
// once, is kept on this phone (so it applies before the next first paint) and on the server
// (so it follows the person to another phone). For someone signed in, notifications too: push
// on this phone (the push panel, push.js), push for all their phones, text messages and quiet
// hours. Signing out lives here too.

import { api, forgetCsrfToken } from "./api.js";
import { clearErrors, showErrors } from "./errors.js";
import { handleForm } from "./forms.js";
import { dialable, loadCatalogue, spokenGroups, t, translate } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { current, remember } from "./preferences.js";
import { navigate, rerender } from "./router.js";
import { pendingItems, queueWrite } from "./outbox.js";
import { announce, showScreen, slot } from "./screen.js";
import { forgetUserAndData, signedInUser, updateSignedInUser } from "./session.js";

const NOTIFICATION_PREFERENCES = "/api/v1/me/notification-preferences";

function fill(form, prefs) {
  for (const name of ["elder_mode", "high_contrast", "read_aloud"]) {
    form.elements[name].checked = prefs[name];
  }
  form.querySelector(`input[name="text_size"][value="${prefs.text_size}"]`).checked = true;
  form.querySelector(`input[name="language"][value="${prefs.language}"]`).checked = true;
}

function changeOf(input) {
  return { [input.name]: input.type === "checkbox" ? input.checked : input.value };
}

async function save(change) {
  if (!signedInUser()) {
    announce(t("settings.saved"));
    return;
  }
  // A preference change can wait: the outbox keeps it until the server has it.
  const result = await queueWrite({
    method: "PATCH", path: "/api/v1/me/preferences", body: change, label: t("outbox.label_preferences"),
  });
  if (result.state === "sent") {
    updateSignedInUser(change);
  }
  announce(t({ sent: "settings.saved", pending: "outbox.saved_pending" }[result.state] ?? "settings.saved_here"));
}

/**
 * Ask before signing out while some of this person's writes still wait: an in-page dialog that
 * the tap on 退出登录 opened (Esc or 先不退出 closes it, focus returns to the button).
 * Resolves to true when they still want to sign out.
 */
function confirmSignOut(button, count) {
  const template = document.getElementById("sign-out-warning");
  const fragment = template.content.cloneNode(true);
  translate(fragment);
  const dialog = fragment.querySelector("dialog");
  dialog.querySelector('[data-slot="warning"]').textContent = t("sign_out.warning", { count });
  button.parentElement.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    dialog.querySelector('[data-action="confirm"]').addEventListener("click", () => {
      answer = true;
      dialog.close();
    });
    dialog.querySelector('[data-action="cancel"]').addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      button.focus();
      resolve(answer);
    });
    dialog.showModal();
    dialog.querySelector('[data-action="cancel"]').focus();
  });
}

async function signOut(button) {
  if (button.getAttribute("aria-disabled") === "true") {
    return;
  }
  const waiting = pendingItems(signedInUser()?.id).length;
  if (waiting && !(await confirmSignOut(button, waiting))) {
    return;
  }
  button.setAttribute("aria-disabled", "true");
  announce(t("settings.signing_out"));
  const answer = await api("POST", "/api/v1/auth/logout");
  button.removeAttribute("aria-disabled");
  // 401: the server already ended this session, which is what the person asked for.
  if (!answer.ok && answer.status !== 401) {
    announce(answer.message);
    return;
  }
  // Their cached data goes; their waiting writes stay, tagged to them, until they sign in again.
  await forgetUserAndData();
  forgetCsrfToken();
  await navigate("/", { replace: true });
  announce(t("sign_in.signed_out"));
}

/** A change of notification preferences through the outbox; a refusal of this first attempt is
 * shown in the form (ownRefusal). Resolves to queueWrite's report. */
function savePreferences(change) {
  return queueWrite({
    method: "PATCH", path: NOTIFICATION_PREFERENCES, body: change, label: t("prefs.label"), ownRefusal: true,
  });
}

/** The fields keep their place while the server's copy is on its way (covered by 「正在读取…」,
 * and not usable), so nothing below them — 退出登录 — moves when it arrives. */
function usable(fields, on) {
  fields.inert = !on;
  for (const control of fields.querySelectorAll("input, button")) {
    control.disabled = !on;
  }
}

function fillPreferences(form, prefs) {
  form.elements.push_enabled.checked = prefs.push_enabled;
  form.elements.sms_opt_in.checked = prefs.sms_opt_in;
  form.elements.quiet_hours_start.value = prefs.quiet_hours_start;
  form.elements.quiet_hours_end.value = prefs.quiet_hours_end;
}

function showSmsHint(form, prefs) {
  const hint = slot(form, "sms-hint");
  const phone = signedInUser()?.phone;
  const sms = form.elements.sms_opt_in;
  sms.disabled = !prefs.has_phone && !sms.checked; // nothing to send to; one already on can be turned off
  if (!prefs.has_phone || !phone) {
    hint.textContent = t("prefs.sms_no_phone");
    return;
  }
  const [before, after] = t("prefs.sms_hint").split("{phone}");
  const number = document.createElement("span");
  number.className = "phone";
  number.textContent = spokenGroups(dialable(phone));
  hint.replaceChildren(before, number, after ?? "");
}

/**
 * The notification preferences (GET/PATCH /me/notification-preferences), shown once they have
 * arrived. The two switches save at once; quiet hours with their button; a refusal goes to the
 * form's error summary and puts a switch back.
 */
async function showNotificationPreferences(section) {
  const form = section.querySelector('[data-form="notification-preferences"]');
  showSmsHint(form, { has_phone: Boolean(signedInUser()?.phone) }); // its lines, before the server's copy
  usable(slot(form, "prefs-fields"), false);
  const labels = () => ({
    push_enabled: t("prefs.push_enabled"), sms_opt_in: t("prefs.sms_opt_in"),
    quiet_hours_start: `${t("prefs.quiet_hours")} ${t("prefs.quiet_start")}`,
    quiet_hours_end: `${t("prefs.quiet_hours")} ${t("prefs.quiet_end")}`,
  });
  let prefs = null;
  for (const name of ["push_enabled", "sms_opt_in"]) {
    const toggle = form.elements[name];
    toggle.addEventListener("change", async () => {
      const wanted = toggle.checked;
      const result = await savePreferences({ [name]: wanted });
      if (result.state === "failed") {
        toggle.checked = !wanted;
        showErrors(form, { message: result.response.message, errors: result.response.errors }, labels());
        return;
      }
      clearErrors(form);
      if (result.state === "sent") {
        prefs = result.response.body;
      }
      announce(t(result.state === "sent" ? "settings.saved" : "outbox.saved_pending"));
    });
  }
  handleForm(form, {
    labels,
    check() {
      const problems = {};
      for (const name of ["quiet_hours_start", "quiet_hours_end"]) {
        if (!form.elements[name].value.trim()) {
          problems[name] = [t("prefs.missing_time")];
        }
      }
      return problems;
    },
    submit: () => savePreferences({
      quiet_hours_start: form.elements.quiet_hours_start.value.trim(),
      quiet_hours_end: form.elements.quiet_hours_end.value.trim(),
    }),
    done(answer) {
      prefs = answer.body;
      fillPreferences(form, prefs);
      announce(t("settings.saved"));
    },
  });
  // The push panel may switch text messages (or push) on: show what the server now holds.
  const changedElsewhere = (event) => {
    if (!form.isConnected) {
      document.removeEventListener("linli:notification-preferences", changedElsewhere);
      return;
    }
    prefs = event.detail;
    form.elements.push_enabled.checked = prefs.push_enabled;
    form.elements.sms_opt_in.checked = prefs.sms_opt_in;
  };
  document.addEventListener("linli:notification-preferences", changedElsewhere);
  const answer = await cachedRead(NOTIFICATION_PREFERENCES);
  if (!answer.ok) {
    slot(form, "prefs-loading").textContent = answer.status === 0 ? t("forms.needs_network") : answer.message;
    return;
  }
  prefs = prefs ?? answer.body;
  usable(slot(form, "prefs-fields"), true);
  fillPreferences(form, prefs);
  showSmsHint(form, prefs);
  slot(form, "prefs-loading").hidden = true;
}

/** `/settings`. */
export function showSettings(params, options) {
  const screen = showScreen("settings", "settings.title", options).firstElementChild;
  const form = screen.querySelector('[data-form="settings"]');
  fill(form, current());
  const notifications = slot(screen, "notifications");
  notifications.hidden = !signedInUser();
  if (signedInUser()) {
    showNotificationPreferences(notifications);
  }
  const signOutButton = screen.querySelector('[data-action="sign-out"]');
  signOutButton.hidden = !signedInUser();
  signOutButton.addEventListener("click", () => signOut(signOutButton));
  form.addEventListener("change", async (event) => {
    const input = event.target;
    const change = changeOf(input);
    if (input.name === "language") {
      await loadCatalogue(input.value); // so the screen below is shown in the new language
    }
    remember(change);
    if (input.name === "language") {
      // Every string on the page changes: show the screen again, keeping the person's place.
      await rerender();
      document.querySelector(`input[name="language"][value="${input.value}"]`)?.focus();
    }
    await save(change);
  });
}
