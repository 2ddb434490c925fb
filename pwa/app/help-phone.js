// The help line in the footer: the same place on every page (WCAG 3.2.6). A resident or a proxy
// sees their grid worker's phone; everyone else, and everyone before signing in, the community's.

import { dialable, spokenGroups, t } from "./i18n.js";

/** Show `help` ({phone, kind: "grid_worker" | "community"}) in the footer, or a sentence without one. */
export function showHelpPhone(help) {
  const line = document.querySelector("[data-help-phone]");
  if (!help) {
    line.textContent = t("help.no_phone");
    return;
  }
  const link = document.createElement("a");
  link.className = "phone";
  link.href = `tel:${dialable(help.phone)}`;
  link.textContent = spokenGroups(dialable(help.phone));
  line.replaceChildren(t(help.kind === "grid_worker" ? "help.grid_worker_phone" : "help.community_phone"), link);
}
