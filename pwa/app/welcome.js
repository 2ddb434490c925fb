// The signed-in placeholder: who you are, your roles, and signing out.

import { api, forgetCsrfToken } from "./api.js";
import { announce, showScreen } from "./screen.js";
import { remembered } from "./session.js";
import { showStart } from "./sign-in.js";

const ROLE_NAMES = {
  resident: "居民",
  proxy: "家属",
  volunteer: "志愿者",
  worker: "网格员",
  admin: "社区管理员",
  provider: "服务商",
};

/** Greet `user` ({display_name, roles}) by name. */
export function showWelcome(user, options) {
  const screen = showScreen("welcome", "您好", options);
  screen.querySelector('[data-slot="display-name"]').textContent = user.display_name;
  const roles = (user.roles || []).map((role) => ROLE_NAMES[role] || role);
  screen.querySelector('[data-slot="roles"]').textContent = roles.join("、") || "未设置";
  const button = screen.querySelector('[data-action="sign-out"]');
  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-disabled") === "true") {
      return;
    }
    button.setAttribute("aria-disabled", "true");
    announce("正在退出…");
    const answer = await api("POST", "/api/v1/auth/logout");
    button.removeAttribute("aria-disabled");
    // 401: the server already ended this session, which is what the person asked for.
    if (!answer.ok && answer.status !== 401) {
      announce(answer.message);
      return;
    }
    remembered.signedIn = false;
    forgetCsrfToken();
    showStart();
    announce("您已退出登录。");
  });
}

/**
 * After any sign-in: remember it, ask the server who this is (GET /me), and greet them.
 * `fallback` is the sign-in answer, used while /me cannot answer.
 */
export async function enter(fallback) {
  remembered.signedIn = true;
  const me = await api("GET", "/api/v1/me");
  showWelcome(me.ok ? me.body : fallback);
  announce("已登录。");
}
