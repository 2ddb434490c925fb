// Consents and family proxies of a resident, as a worker records them on the resident's word:
// a new consent, a new proxy (an existing account or a new one) with the scopes consented to,
// and changing a proxy's scopes. Withdrawing and ending are on the record, after a confirmation.

import { api } from "./api.js";
import { handleForm } from "./forms.js";
import { spokenGroups, t } from "./i18n.js";
import { slot } from "./screen.js";
import { findInPages } from "./worker-lists.js";
import { checkedValue, checkedValues, choices, missing, setChecked } from "./worker-resident-edit.js";
import { backToRecord, residentHeading, SCOPES } from "./worker-residents.js";
import { workerScreen } from "./worker.js";

function scopeChoices(container, idPrefix) {
  choices(container, { name: "scopes", options: SCOPES.map((scope) => [scope, t(`worker.scope_choice.${scope}`)]),
    idPrefix });
}

function missingChoices(form, names, labels) {
  const problems = {};
  for (const name of names) {
    if (!checkedValue(form, name)) {
      problems[name] = [t("worker.missing_choice", { field: labels[name] })];
    }
  }
  return problems;
}

function consentLabels() {
  return { purpose: t("worker.consent_purpose"), given_by: t("worker.consent_given_by"),
    giver_name: t("worker.consent_giver_name"), note: t("worker.consent_note") };
}

/** `/worker/residents/<id>/consents/new`: record a consent the resident (or a guardian) gave. */
export async function showNewConsent([residentId], options) {
  const screen = workerScreen("worker-consent", "worker.record_consent", options);
  const form = screen;
  handleForm(form, {
    labels: consentLabels,
    check: () => ({ ...missingChoices(form, ["purpose", "given_by"], consentLabels()),
      ...missing(form, ["giver_name"], consentLabels()) }),
    submit() {
      const body = { purpose: checkedValue(form, "purpose"), given_by: checkedValue(form, "given_by"),
        giver_name: form.elements.giver_name.value.trim() };
      if (form.elements.note.value.trim()) {
        body.note = form.elements.note.value.trim();
      }
      return api("POST", `/api/v1/residents/${residentId}/consents`, body);
    },
    done: () => backToRecord(residentId,
      t("worker.consent_recorded", { purpose: t(`worker.purpose.${checkedValue(form, "purpose")}`) }),
      "resident-consents-heading"),
  });
  await residentHeading(screen, residentId, "worker.record_consent_for", "worker.record_consent");
}

function proxyLabels() {
  return { phone: t("worker.proxy_phone"), relation: t("worker.contact_relation"), is_guardian: t("worker.is_guardian"),
    scopes: t("worker.proxy_scopes"), consented_by: t("worker.scopes_consented_by"),
    giver_name: t("worker.consent_giver_name"), display_name: t("worker.proxy_name"),
    password: t("worker.proxy_password") };
}

/**
 * `/worker/residents/<id>/proxies/new`: link a relative's account by phone with the scopes the
 * resident agreed to. A number without an account needs a name and a first password (the server
 * says so at those fields); the first link also records the proxy_access consent.
 */
export async function showNewProxy([residentId], options) {
  const screen = workerScreen("worker-proxy-new", "worker.add_proxy", options);
  const form = screen;
  scopeChoices(slot(screen, "scopes"), "proxy-scope");
  const value = (name) => form.elements[name].value.trim();
  handleForm(form, {
    labels: proxyLabels,
    check() {
      const problems = { ...missing(form, ["phone", "relation"], proxyLabels()),
        ...missingChoices(form, ["consented_by"], proxyLabels()) };
      if (!checkedValues(form, "scopes").length) {
        problems.scopes = [t("worker.missing_scopes")];
      }
      return problems;
    },
    submit() {
      const body = { phone: value("phone"), relation: value("relation"), is_guardian: form.elements.is_guardian.checked,
        scopes: checkedValues(form, "scopes"), consented_by: checkedValue(form, "consented_by") };
      // Only what was typed: the account fields are for a number that has no account yet.
      for (const name of ["giver_name", "display_name"]) {
        if (value(name)) {
          body[name] = value(name);
        }
      }
      if (form.elements.password.value) {
        body.password = form.elements.password.value;
      }
      return api("POST", `/api/v1/residents/${residentId}/proxies`, body);
    },
    done: (answer) => backToRecord(residentId,
      t("worker.proxy_added", { name: answer.body?.proxy?.display_name || value("display_name") || value("phone") }),
      "resident-proxies-heading"),
  });
  await residentHeading(screen, residentId, "worker.add_proxy_for", "worker.add_proxy");
}

/**
 * `/worker/residents/<id>/proxies/<link id>`: the scopes a relative holds; unticking withdraws
 * (kept in the history), ticking grants and needs to say who consented.
 */
export async function showProxyScopes([residentId, linkId], options) {
  const screen = workerScreen("worker-proxy-scopes", "worker.change_scopes", options);
  const form = screen;
  slot(screen, "heading").textContent = t("worker.change_scopes");
  slot(screen, "back").href = `/worker/residents/${residentId}`;
  scopeChoices(slot(screen, "scopes"), "scope");
  let link = null;
  const labels = () => ({ scopes: t("worker.proxy_scopes"), consented_by: t("worker.scopes_consented_by") });
  handleForm(form, {
    labels,
    check() {
      const granted = checkedValues(form, "scopes").filter((scope) => !link.active_scopes.includes(scope));
      return granted.length && !checkedValue(form, "consented_by")
        ? { consented_by: [t("worker.missing_consented_by")] } : {};
    },
    submit() {
      const body = { scopes: checkedValues(form, "scopes") };
      if (checkedValue(form, "consented_by")) {
        body.consented_by = checkedValue(form, "consented_by");
      }
      return api("PUT", `/api/v1/residents/${residentId}/proxies/${linkId}/scopes`, body);
    },
    done: () => backToRecord(residentId, t("worker.scopes_saved", { name: link.proxy.display_name }),
      "resident-proxies-heading"),
  });
  const found = await findInPages(`/api/v1/residents/${residentId}/proxies`, Number(linkId));
  if (!found.ok || !found.item) {
    slot(screen, "loading").textContent = found.ok ? t("worker.proxy_gone") : found.message;
    return;
  }
  link = found.item;
  slot(screen, "heading").textContent = t("worker.change_scopes_of", { name: link.proxy.display_name });
  slot(screen, "who").textContent = t(link.is_guardian ? "worker.proxy_entry_guardian" : "worker.proxy_entry",
    { name: link.proxy.display_name, relation: link.relation, phone: spokenGroups(link.proxy.phone || "") });
  setChecked(form, "scopes", link.active_scopes);
  slot(screen, "loading").hidden = true;
  slot(screen, "fields").hidden = false;
}
