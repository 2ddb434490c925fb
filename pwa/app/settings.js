// Settings: elder mode, text size, high contrast, read aloud and language. Each change shows at
// once, is kept on this phone (so it applies before the next first paint) and on the server
// (so it follows the person to another phone); signing out lives here too.

import { api, forgetCsrfToken } from "./api.js";
import { loadCatalogue, t, translate } from "./i18n.js";
import { current, remember } from "./preferences.js";
import { navigate, rerender } from "./router.js";
import { pendingItems, queueWrite } from "./outbox.js";
import { announce, showScreen } from "./screen.js";
import { forgetUserAndData, signedInUser, updateSignedInUser } from "./session.js";

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
  button.closest("form").append(dialog);
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

/** `/settings`. */
export function showSettings(params, options) {
  const screen = showScreen("settings", "settings.title", options);
  const form = screen.querySelector("form");
  fill(form, current());
  const signOutButton = form.querySelector('[data-action="sign-out"]');
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
