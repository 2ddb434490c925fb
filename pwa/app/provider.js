// The provider home: the provider's name and phone, and a place for service requests (their
// issue fills it).

import { spokenGroups, t } from "./i18n.js";
import { wireElderSwitch } from "./home.js";
import { showScreen, slot } from "./screen.js";

/** `/` for a service provider (canteen, clinic, repair shop). */
export function showProviderHome(user, options) {
  const screen = showScreen("provider-home", "provider.title", options);
  wireElderSwitch(screen);
  slot(screen, "greeting").textContent = t("home.greeting", { name: user.display_name });
  slot(screen, "name").textContent = user.display_name;
  const phone = document.createElement("span");
  phone.className = "phone";
  phone.textContent = spokenGroups(user.phone || "");
  slot(screen, "phone").replaceChildren(phone);
}
