// A grid's buildings and a building's households, a page at a time: a grid may hold more buildings
// (and a tower block more households) than one page of the API, and 「更多」 reaches every one.

import { t } from "./i18n.js";
import { slot } from "./screen.js";
import { pagedList } from "./worker-lists.js";
import { linkButton, load, workerScreen } from "./worker.js";

/** `/worker/grids/<id>`: a grid's buildings. */
export async function showGrid([gridId], options) {
  const screen = workerScreen("worker-grid", "worker.buildings", options);
  slot(screen, "heading").textContent = t("worker.buildings");
  const buildings = pagedList(screen, {
    countKey: "worker.buildings_shown",
    build: (building) => linkButton(`/worker/buildings/${building.id}`, building.label),
  });
  const [grid] = await Promise.all([load(`/api/v1/grids/${gridId}`), buildings.show(`/api/v1/buildings?grid_id=${gridId}`)]);
  if (grid.ok) {
    slot(screen, "heading").textContent = grid.body.name;
  }
}

/** `/worker/buildings/<id>`: a building's households, and registering one there. */
export async function showBuilding([buildingId], options) {
  const screen = workerScreen("worker-building", "worker.households", options);
  slot(screen, "heading").textContent = t("worker.households");
  slot(screen, "new-household").href = `/worker/buildings/${buildingId}/new-household`;
  const households = pagedList(screen, {
    countKey: "worker.households_shown",
    build: (household) => linkButton(`/worker/households/${household.id}`,
      t("worker.household_entry", { door: household.door_number, count: household.resident_count })),
  });
  const [building] = await Promise.all([load(`/api/v1/buildings/${buildingId}`),
    households.show(`/api/v1/households?building_id=${buildingId}`)]);
  if (building.ok) {
    slot(screen, "heading").textContent = building.body.label;
    slot(screen, "address").textContent = building.body.address || "";
    slot(screen, "back").href = `/worker/grids/${building.body.grid_id}`;
  }
}
