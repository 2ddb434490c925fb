// Opening a worker's link (/link/<code>) on a resident's phone: sign in with the one-time code,
// then offer to set a 6-digit PIN for next time.

import { api } from "./api.js";
import { clearErrors, showErrors } from "./errors.js";
import { announce, showScreen } from "./screen.js";
import { deviceLabel, remembered } from "./session.js";
import { enter, showWelcome } from "./welcome.js";

const LABELS = { pin: "数字密码", code: "绑定码" };

/**
 * The code is used only when the person taps the button: link previews (WeChat fetches
 * pages it is sent) must not spend a single-use code.
 */
export function showLink(code, options) {
  const screen = showScreen("link", "在这部手机上登录", options);
  const form = screen.querySelector("form");
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    announce("正在登录…");
    const answer = await api("POST", "/api/v1/auth/link", { code, device_label: deviceLabel() });
    busy = false;
    announce("");
    if (!answer.ok) {
      showErrors(form, answer, LABELS);
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
  const screen = showScreen("set-pin", "设置数字密码");
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
      showErrors(form, { message: "请检查标出的项目。", errors: { pin: ["请输入 6 位数字。"] } }, LABELS);
      return;
    }
    busy = true;
    announce("正在保存…");
    const answer = await api("PUT", "/api/v1/me/pin", { pin });
    busy = false;
    announce("");
    if (!answer.ok) {
      showErrors(form, answer, LABELS);
      return;
    }
    const me = await api("GET", "/api/v1/me");
    showWelcome(me.ok ? me.body : user);
    announce("数字密码已保存。下次在这部手机上输入 6 位数字就能登录。");
  });
}
