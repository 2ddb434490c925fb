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
  let generation = 0;
  let seen = new Set();
  let loadingMore = false;

  async function fetchNext() {
    const mine = generation;
    const answer = await load(pageOf(path, page + 1, perPage));
    if (!answer.ok || mine !== generation) {
      return false;
    }
    page += 1;
    const { total } = answer.body;
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
    const finished = lastPage(answer.body, page, perPage);
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
    // A second tap while the next page loads would ask for the same page twice and skip one.
    if (loadingMore) {
      return;
    }
    loadingMore = true;
    const before = rows.children.length;
    const loaded = await fetchNext();
    loadingMore = false;
    if (loaded) {
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

/** `path` with its page and per_page. */
function pageOf(path, page, perPage) {
  return `${path}${path.includes("?") ? "&" : "?"}page=${page}&per_page=${perPage}`;
}

/** Whether the answer for `page` was the last page of its list. */
function lastPage(body, page, perPage) {
  return body.items.length < perPage || page * perPage >= body.total;
}

/** The answers for each page of `path` in turn, until the last page or the first failure. */
async function* eachPage(path, perPage) {
  for (let page = 1; ; page += 1) {
    const answer = await load(pageOf(path, page, perPage));
    yield answer;
    if (!answer.ok || lastPage(answer.body, page, perPage)) {
      return;
    }
  }
}

/** Every page of `path` (for short lists such as grids in a filter menu), as one array. */
export async function loadAll(path, perPage = 100) {
  const items = [];
  for await (const answer of eachPage(path, perPage)) {
    if (!answer.ok) {
      return { ...answer, items };
    }
    items.push(...answer.body.items);
  }
  return { ok: true, items };
}

/**
 * The item with `id` in a paged list at `path`, looking page by page (a proxy link or a consent
 * record has no address of its own to GET). Resolves to {ok, item} (item null if absent) or the
 * failed answer.
 */
export async function findInPages(path, id, perPage = 100) {
  for await (const answer of eachPage(path, perPage)) {
    if (!answer.ok) {
      return answer;
    }
    const item = answer.body.items.find((candidate) => candidate.id === id);
    if (item) {
      return { ok: true, item };
    }
  }
  return { ok: true, item: null };
}
