// Opening a worker's link (/link/<code>) on a resident's phone: sign in with the one-time code,
// then offer to set a 6-digit PIN for next time.

import { api } from "./api.js";
import { clearErrors, showErrors } from "./errors.js";
import { enter } from "./home.js";
import { t } from "./i18n.js";
import { announce, showScreen } from "./screen.js";
import { deviceLabel, remembered } from "./session.js";

function labels() {
  return { pin: t("pin.field_name"), code: t("link.code_field") };
}

/**
 * The code is used only when the person taps the button: link previews (WeChat fetches
 * pages it is sent) must not spend a single-use code.
 */
export function showLink(code, options) {
  const screen = showScreen("link", "link.title", options);
  const form = screen.querySelector("form");
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    announce(t("sign_in.busy"));
    const answer = await api("POST", "/api/v1/auth/link", { code, device_label: deviceLabel() });
    busy = false;
    announce("");
    if (!answer.ok) {
      showErrors(form, answer, labels());
      return;
    }
    clearErrors(form);
    remembered.signedIn = true;
    remembered.linkedDevice = true;
    // The code is spent: a reload must not offer it again.
    window.history.replaceState(null, "", "/");
    showSetPin(answer.body);
  });
}

/** Offer a PIN for this linked phone; `user` is who just signed in. */
export function showSetPin(user) {
  const screen = showScreen("set-pin", "set_pin.title");
  const form = screen.querySelector("form");
  form.querySelector('[data-action="skip"]').addEventListener("click", () => enter(user));
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    const pin = form.elements.pin.value;
    if (!/^\d{6}$/.test(pin)) {
      showErrors(form, { message: t("error.check_marked"), errors: { pin: [t("pin.wrong_format")] } }, labels());
      return;
    }
    busy = true;
    announce(t("set_pin.busy"));
    const answer = await api("PUT", "/api/v1/me/pin", { pin });
    busy = false;
    announce("");
    if (!answer.ok) {
      showErrors(form, answer, labels());
      return;
    }
    await enter(user, t("set_pin.saved"));
  });
}
