// What the visit record form needs about a household (building, door, its active residents with
// ids), kept on this phone for the signed-in person whenever a due list, a day plan or the
// volunteer's list of delegated visits is read online: the form (visit-record.js) then opens in
// the field without signal. Small on purpose: the volunteer home loads it, not the form.

import { formatDateTime, t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { slot } from "./screen.js";
import { signedInUser } from "./session.js";
import { cacheGet, cachePut } from "./store.js";

const kitPath = (kind, id) => `visit-kit:${kind}:${id}`;

/**
 * Keep, for the signed-in person, what the form needs about each household (building, door, its
 * active residents with ids), read from a due list or a day plan: the form then opens offline.
 * `entries`: [{household_id, building_label, door_number, residents: [{id, address_as}]}].
 */
export async function keepVisitKits(entries, kind = "household", idOf = (entry) => entry.household_id) {
  const user = signedInUser();
  if (!user?.id) {
    return;
  }
  await Promise.all(entries.map((entry) => cachePut(user.id, kitPath(kind, idOf(entry)), {
    household_id: entry.household_id, building_label: entry.building_label, door_number: entry.door_number ?? "",
    residents: entry.residents,
  }).catch(() => {})));
}

/** The kit kept for a household (`kind` "household") or a delegated visit ("delegation"), or null. */
export async function keptKit(kind, id) {
  const user = signedInUser();
  const entry = user?.id ? await cacheGet(user.id, kitPath(kind, id)).catch(() => null) : null;
  return entry?.body ?? null;
}

/**
 * The volunteer home's list of visits handed to them (open ones, by due date), each a link to its
 * form; their households are kept on this phone so the form opens offline.
 */
export async function showDelegatedVisits(section) {
  const answer = await cachedRead("/api/v1/visit-delegations?status=open&per_page=50");
  if (!answer.ok) {
    return;
  }
  const items = answer.body.items;
  section.hidden = items.length === 0;
  keepVisitKits(items, "delegation", (entry) => entry.id);
  slot(section, "list").replaceChildren(...items.map((item) => {
    const row = document.createElement("li");
    const link = document.createElement("a");
    link.className = "button button-secondary list-button";
    link.href = `/volunteer/visits/${item.id}`;
    link.textContent = t("volunteer.visit_entry", {
      place: item.building_label,
      names: item.residents.map((resident) => resident.address_as).join(t("volunteer.visit_names_separator")),
      date: formatDateTime(`${item.due_on}T12:00:00+08:00`, { month: "long", day: "numeric" }),
    });
    row.append(link);
    return row;
  }));
}
