// The family's visit summaries (走访小结): what the grid worker or a volunteer wrote for the family
// after each home visit, newest first, with who came. Never the staff notes, the checklist or the
// concerns: the API does not give them. A relative with view_visit_summaries reads their
// resident's (`/for/<id>/visits`), a resident their own (`/visits`). Read through cachedRead, so
// what was seen online shows offline with 最后更新.

import { formatDateTime, t } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { navigate } from "./router.js";
import { showScreen, slot } from "./screen.js";
import { signedInUser } from "./session.js";

const PER_PAGE = 20;
const WHEN = { month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit" };

function residentIdOf(subject) {
  return subject.actingFor ? subject.base.split("/").pop() : signedInUser().resident?.id;
}

/** Who came, in words: 「李网格员 上门走访」, or 「志愿者 张阿姨 上门陪伴」 for a companionship visit. */
export function visitorWords(summary) {
  const name = summary.visitor_name;
  if (summary.by_volunteer) {
    return name ? t("visits.by_volunteer", { name }) : t("visits.by_a_volunteer");
  }
  return name ? t("visits.by_worker", { name }) : t("visits.by_a_worker");
}

function card(summary) {
  const item = document.getElementById("visit-summary").content.firstElementChild.cloneNode(true);
  slot(item, "when").textContent = formatDateTime(summary.occurred_at, WHEN);
  slot(item, "words").textContent = summary.summary;
  slot(item, "who").textContent = visitorWords(summary);
  item.dataset.visit = String(summary.visit_id);
  return item;
}

/** `/visits`, `/for/<id>/visits`: the summaries, newest first, 20 at a time with 「更多」. */
export async function showVisitSummaries(subject, options) {
  const residentId = residentIdOf(subject);
  if (!residentId) { // a resident account not (or no longer) tied to a resident record
    return navigate("/", { replace: true });
  }
  const path = (page) => `/api/v1/residents/${residentId}/visit-summaries?page=${page}&per_page=${PER_PAGE}`;
  const first = await cachedRead(path(1));
  const screen = showScreen("visit-summaries", "visits.title", options).firstElementChild;
  slot(screen, "home").href = subject.base || "/";
  slot(screen, "heading").textContent = subject.actingFor ? t("visits.their_title", { name: subject.name })
    : t("visits.title");
  if (subject.actingFor) {
    slot(screen, "acting-for").textContent = t("home.acting_for", { name: subject.name });
    slot(screen, "acting-for").hidden = false;
  }
  const list = slot(screen, "list");
  const more = slot(screen, "more");
  const empty = slot(screen, "empty");
  let page = 1;
  const show = (answer) => {
    if (!answer.ok) {
      empty.textContent = answer.message;
      empty.hidden = false;
      return [];
    }
    const seen = new Set([...list.children].map((item) => item.dataset.visit));
    const added = answer.body.items.filter((summary) => !seen.has(String(summary.visit_id))).map(card);
    list.append(...added);
    empty.hidden = list.children.length > 0;
    more.hidden = page * PER_PAGE >= answer.body.total;
    slot(screen, "count").textContent = answer.body.total > list.children.length
      ? t("visits.shown", { shown: list.children.length, total: answer.body.total }) : "";
    return added;
  };
  show(first);
  more.addEventListener("click", async () => {
    if (more.getAttribute("aria-disabled") === "true") {
      return;
    }
    more.setAttribute("aria-disabled", "true");
    const answer = await cachedRead(path(page + 1));
    more.removeAttribute("aria-disabled");
    if (answer.ok) {
      page += 1;
    }
    const [firstNew] = show(answer);
    firstNew?.querySelector("h2").focus();
  });
}
