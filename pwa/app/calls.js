// Screens that hand the person a phone call: SOS (the grid worker and 120, until the safety
// issue gives SOS its own flow; it is never a "coming soon" page).

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

let shellPhone;

/** The community phone the server wrote into the shell (for SOS before anyone signs in). */
export function serverPhone() {
  if (shellPhone === undefined) {
    const link = document.querySelector('[data-help-phone] a[href^="tel:"]');
    shellPhone = link ? link.getAttribute("href").slice(4) : null;
  }
  return shellPhone;
}
