// Signing in: with a phone number and password, or with the 6-digit PIN on a linked phone.

import { api } from "./api.js";
import { handleForm } from "./forms.js";
import { enter } from "./home.js";
import { t } from "./i18n.js";
import { showScreen } from "./screen.js";
import { deviceLabel, remembered } from "./session.js";

function labels() {
  return { phone: t("sign_in.phone"), password: t("sign_in.password"), pin: t("pin.field_name") };
}

/** The phone-and-password form. */
export function showSignIn(options) {
  const screen = showScreen("sign-in", "sign_in.title", options);
  const form = screen.querySelector("form");
  const usePin = form.querySelector('[data-action="use-pin"]');
  usePin.hidden = !remembered.linkedDevice;
  usePin.addEventListener("click", () => showPinSignIn());
  handleForm(form, {
    labels,
    busyText: () => t("sign_in.busy"),
    check() {
      const problems = {};
      if (!form.elements.phone.value.trim()) {
        problems.phone = [t("sign_in.missing_phone")];
      }
      if (!form.elements.password.value) {
        problems.password = [t("sign_in.missing_password")];
      }
      return problems;
    },
    submit: () => api("POST", "/api/v1/auth/login", {
      phone: form.elements.phone.value.trim(),
      password: form.elements.password.value,
      device_label: deviceLabel(),
    }),
    done: (answer) => enter(answer.body),
  });
}

/** The PIN form, offered first on a phone a worker linked with a one-time code. */
export function showPinSignIn(options) {
  const screen = showScreen("pin-sign-in", "pin.title", options);
  const form = screen.querySelector("form");
  form.querySelector('[data-action="use-password"]').addEventListener("click", () => showSignIn());
  handleForm(form, {
    labels,
    busyText: () => t("sign_in.busy"),
    check() {
      return /^\d{6}$/.test(form.elements.pin.value) ? {} : { pin: [t("pin.wrong_format")] };
    },
    async submit() {
      const answer = await api("POST", "/api/v1/auth/pin-login", {
        pin: form.elements.pin.value,
        device_label: deviceLabel(),
      });
      if (answer.reason === "pin_not_available") {
        remembered.linkedDevice = false;
      }
      return answer;
    },
    done: (answer) => enter(answer.body),
  });
}

/** The first sign-in screen for this browser: the PIN on a linked phone, else the password. */
export function showStart(options) {
  if (remembered.linkedDevice) {
    showPinSignIn(options);
  } else {
    showSignIn(options);
  }
}
