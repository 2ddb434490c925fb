// Signing up as a volunteer from the sign-in screen: phone (proven by a code sent to it by SMS),
// name, password, gender, skills and the grid one lives in, then "waiting for a community worker to
// check", then the sign-in form.

import { api } from "./api.js";
import { clearErrors, showErrors } from "./errors.js";
import { explain, flatErrors, handleForm } from "./forms.js";
import { dialable, spokenGroups, t } from "./i18n.js";
import { announce, showScreen, slot } from "./screen.js";
import { fillChoices, ticked } from "./volunteer-profile.js";

const PURPOSE = "volunteer_registration";
// Codes live 5 minutes (docs/notifications.md). With it, the answer's two times give the wait before
// a new code in the server's own clock, so a phone whose clock is wrong still counts the right length.
const CODE_LIFETIME_MS = 5 * 60 * 1000;
const DEFAULT_WAIT_MS = 60 * 1000;

function labels() {
  return {
    phone: t("sign_in.phone"), verification_code: t("register.code"), display_name: t("register.name"),
    password: t("register.password"), gender: t("volunteer.gender"), skills: t("volunteer.skills"),
    grid_id: t("register.area"),
  };
}

/** Digits as the server reads them: full-width ones (a Chinese keyboard's １２３) too, spaces dropped. */
function typedDigits(value) {
  return value.normalize("NFKC").replace(/\s/g, "");
}

/** The 11 digits of a mainland mobile number as typed, to compare with the one a code went to. */
function mobileDigits(value) {
  return dialable(typedDigits(value)).replace(/^(\+86|0086)/, "");
}

function resendWaitMs({ expires_at: expiresAt, resend_after: resendAfter }) {
  const wait = Date.parse(resendAfter) - (Date.parse(expiresAt) - CODE_LIFETIME_MS);
  return Number.isFinite(wait) && wait > 0 && wait <= 60 * 60 * 1000 ? wait : DEFAULT_WAIT_MS;
}

/**
 * The 「获取验证码」 button. After a code is sent it reads 「重新获取验证码（59 秒）」 and counts down,
 * its text changed at most once a second; the seconds are aria-hidden, so screen readers are not
 * told every second (they heard 「验证码已发到…」 once). Nothing else on the form depends on the
 * countdown or on the code's lifetime: what was typed stays, and a late code is refused by the
 * server at its field.
 */
function codeButton(button) {
  const label = button.querySelector('[data-slot="send-code-label"]');
  const seconds = button.querySelector('[data-slot="send-code-wait"]');
  let timer = null;

  function stop() {
    clearInterval(timer);
    timer = null;
    seconds.textContent = "";
    button.removeAttribute("aria-disabled");
  }

  return {
    get waiting() {
      return timer !== null;
    },
    countDown(ms) {
      const until = performance.now() + ms;
      let shown = null;
      const tick = () => {
        if (!button.isConnected) {
          clearInterval(timer); // the screen has gone
          return;
        }
        const left = Math.ceil((until - performance.now()) / 1000);
        if (left <= 0) {
          stop();
        } else if (left !== shown) {
          shown = left;
          seconds.textContent = t("register.send_again_wait", { seconds: left });
        }
      };
      clearInterval(timer);
      label.textContent = t("register.send_again");
      button.setAttribute("aria-disabled", "true");
      timer = setInterval(tick, 1000);
      tick();
    },
    stop,
    /** Back to 「获取验证码」, for a number no code went to yet. */
    reset() {
      stop();
      label.textContent = t("register.send_code");
    },
  };
}

/** 「获取验证码」: POST /verification-codes; refusals (429 too many codes) go to the phone field. */
function offerCode(form, screen) {
  const button = form.querySelector('[data-action="send-code"]');
  const sent = slot(screen, "code-sent");
  const countdown = codeButton(button);
  let busy = false;
  let sentTo = null;

  // A mistyped number can be corrected and sent a code at once: the wait is per number.
  form.elements.phone.addEventListener("input", () => {
    if (sentTo !== null && mobileDigits(form.elements.phone.value) !== sentTo) {
      sentTo = null;
      countdown.reset();
    }
  });
  button.addEventListener("click", async () => {
    if (busy) {
      return;
    }
    if (countdown.waiting) {
      announce(t("register.wait_to_resend"));
      return;
    }
    const phone = form.elements.phone.value.trim();
    if (!phone) {
      showErrors(form, { message: t("error.check_marked"), errors: { phone: [t("sign_in.missing_phone")] } }, labels());
      return;
    }
    busy = true;
    button.setAttribute("aria-disabled", "true");
    announce(t("register.sending_code"));
    let answer;
    try {
      answer = await api("POST", "/api/v1/verification-codes", { phone, purpose: PURPOSE });
    } finally {
      busy = false;
      button.removeAttribute("aria-disabled");
      announce("");
    }
    if (!answer.ok) {
      answer = explain(answer);
      const errors = flatErrors(answer.errors);
      // "Too many codes for this number" names no field: it belongs to the phone.
      if (answer.status >= 400 && !Object.keys(errors).length) {
        showErrors(form, { message: t("register.code_not_sent"), errors: { phone: [answer.message] } }, labels());
      } else {
        showErrors(form, { message: answer.message, errors }, labels());
      }
      return;
    }
    clearErrors(form);
    sentTo = answer.body.phone;
    sent.textContent = t("register.code_sent", { phone: spokenGroups(answer.body.phone) });
    countdown.countDown(resendWaitMs(answer.body));
  });
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
  if (!/^[0-9]{6}$/.test(typedDigits(form.elements.verification_code.value))) {
    problems.verification_code = [t("register.missing_code")];
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
  offerCode(form, screen);
  handleForm(form, {
    labels,
    busyText: () => t("register.busy"),
    check: () => check(form),
    submit: () => api("POST", "/api/v1/volunteers/register", {
      phone: form.elements.phone.value.trim(),
      verification_code: typedDigits(form.elements.verification_code.value),
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
