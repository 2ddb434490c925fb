// Settings: elder mode, text size, high contrast, read aloud and language. Each change shows at
// once, is kept on this phone (so it applies before the next first paint) and on the server
// (so it follows the person to another phone); signing out lives here too.

import { api, forgetCsrfToken } from "./api.js";
import { t } from "./i18n.js";
import { current, remember } from "./preferences.js";
import { navigate, rerender } from "./router.js";
import { queueWrite } from "./outbox.js";
import { announce, showScreen } from "./screen.js";
import { forgetUser, signedInUser, updateSignedInUser } from "./session.js";

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

async function signOut(button) {
  if (button.getAttribute("aria-disabled") === "true") {
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
  forgetUser();
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
    remember(change);
    if (input.name === "language") {
      // Every string on the page changes: show the screen again, keeping the person's place.
      await rerender();
      document.querySelector(`input[name="language"][value="${input.value}"]`)?.focus();
    }
    await save(change);
  });
}
