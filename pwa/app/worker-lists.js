// Worker lists that never stop silently at a page: each 「更多」 appends the next page, and a line
// says how many of how many are shown. Used by buildings, households, residents and volunteers.

import { t } from "./i18n.js";
import { slot } from "./screen.js";
import { load } from "./worker.js";

/**
 * A list in `screen` filled a page at a time. `show(path)` starts over with `path` (the API
 * address with its filters, without page and per_page); 「更多」 (slot `more`) appends the next
 * page and moves focus to its first row. `build(item)` returns the row's content; `countKey`
 * names the count line ({total}, {shown}), shown only while rows remain unless `countAll`; `list`,
 * `more`, `count` and `empty` name the slots. An answer to an older `show` (a slow first page
 * arriving after a new search) is dropped, and a row already shown (the list moved between two
 * pages) is not shown twice.
 */
export function pagedList(screen, {
  build, countKey, perPage = 100, list = "list", more = "more", count = "count", empty = "empty", countAll = true,
}) {
  const rows = slot(screen, list);
  const moreButton = slot(screen, more);
  const countLine = slot(screen, count);
  const emptyLine = slot(screen, empty);
  let path = null;
  let page = 0;
  let total = 0;
  let generation = 0;
  let seen = new Set();

  async function fetchNext() {
    const mine = generation;
    const separator = path.includes("?") ? "&" : "?";
    const answer = await load(`${path}${separator}page=${page + 1}&per_page=${perPage}`);
    if (!answer.ok || mine !== generation) {
      return false;
    }
    page += 1;
    total = answer.body.total;
    for (const item of answer.body.items) {
      if (seen.has(item.id)) {
        continue;
      }
      seen.add(item.id);
      const row = document.createElement("li");
      row.append(...[].concat(build(item)));
      rows.append(row);
    }
    // A page shorter than asked for is the last, whatever the total said a moment before.
    const finished = answer.body.items.length < perPage || page * perPage >= total;
    moreButton.hidden = finished;
    if (emptyLine) {
      emptyLine.hidden = rows.children.length > 0;
    }
    if (countLine) {
      const counted = rows.children.length && (countAll || !finished);
      countLine.textContent = counted ? t(countKey, { total, shown: rows.children.length }) : "";
    }
    return true;
  }

  moreButton.addEventListener("click", async () => {
    const before = rows.children.length;
    if (await fetchNext()) {
      // The first new row takes focus: keyboard and screen-reader users go on where they were.
      const first = rows.children[before];
      (first?.querySelector("[data-row-focus]") ?? first?.querySelector("a, button, input"))?.focus();
    }
  });

  return {
    /** Start over with `newPath` and load its first page. */
    show(newPath) {
      path = newPath;
      page = 0;
      generation += 1;
      seen = new Set();
      rows.replaceChildren();
      moreButton.hidden = true;
      return fetchNext();
    },
  };
}

/** Every page of `path` (for short lists such as grids in a filter menu), as one array. */
export async function loadAll(path, perPage = 100) {
  const items = [];
  const separator = path.includes("?") ? "&" : "?";
  for (let page = 1; ; page += 1) {
    const answer = await load(`${path}${separator}page=${page}&per_page=${perPage}`);
    if (!answer.ok) {
      return { ...answer, items };
    }
    items.push(...answer.body.items);
    if (answer.body.items.length < perPage || items.length >= answer.body.total) {
      return { ok: true, items };
    }
  }
}

/**
 * The item with `id` in a paged list at `path`, looking page by page (a proxy link or a consent
 * record has no address of its own to GET). Resolves to {ok, item} or the failed answer.
 */
export async function findInPages(path, id, perPage = 100) {
  const separator = path.includes("?") ? "&" : "?";
  for (let page = 1; ; page += 1) {
    const answer = await load(`${path}${separator}page=${page}&per_page=${perPage}`);
    if (!answer.ok) {
      return answer;
    }
    const item = answer.body.items.find((candidate) => candidate.id === id);
    if (item || answer.body.items.length < perPage || page * perPage >= answer.body.total) {
      return { ok: true, item: item ?? null };
    }
  }
}
