// Screens that hand the person a phone call: SOS (the grid worker and 120, until the safety
// issue gives SOS its own flow; it is never a "coming soon" page) and the plain page for
// ask-for-help and I'm-OK until their issues land.

import { t } from "./i18n.js";
import { callFor, fillCall } from "./home.js";
import { showScreen, slot } from "./screen.js";

function homeOf(subject) {
  return subject?.base || "/";
}

/** `/sos`, `/for/<id>/sos`: large tel: buttons, also when nobody is signed in. */
export function showSos(subject, options) {
  const screen = showScreen("sos", "sos.title", options);
  const call = callFor(subject) ?? callFor({ communityPhone: serverPhone() });
  const link = slot(screen, "call-grid-worker");
  if (call) {
    fillCall(link, call.phone, t(call.kind === "grid_worker" ? "sos.call_grid_worker" : "sos.call_community"));
  } else {
    slot(screen, "grid-worker-item").remove();
  }
  slot(screen, "home").href = homeOf(subject);
}

/** `/ask-for-help`, `/im-ok` and their `/for/<id>/…`: not built yet, so: call the grid worker. */
export function showComingSoon(subject, options) {
  const screen = showScreen("coming-soon", "soon.title", options);
  const call = callFor(subject);
  slot(screen, "explain").textContent = t(call?.kind === "community" ? "soon.explain_community" : "soon.explain");
  if (call) {
    fillCall(slot(screen, "call"), call.phone, t("soon.call"));
  } else {
    slot(screen, "call-item").remove();
  }
  slot(screen, "home").href = homeOf(subject);
}

let shellPhone;

/** The community phone the server wrote into the shell (for SOS before anyone signs in). */
export function serverPhone() {
  if (shellPhone === undefined) {
    const link = document.querySelector('[data-help-phone] a[href^="tel:"]');
    shellPhone = link ? link.getAttribute("href").slice(4) : null;
  }
  return shellPhone;
}
