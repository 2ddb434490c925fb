// 应急排查 for workers and admins (docs/safety.md, "The emergency sweep"): the sweeps of my grids
// (open first), starting one (name, grids, risk tags, minimum age, minutes to answer), the live
// board — safe / needs help / not yet reached per grid and in total, in words and as a bar that
// adds up, the households not yet reached with who has them, read again every BOARD_POLL_MS while
// the page is in view — 结束排查, and the frozen report, laid out for printing.

import { api } from "./api.js";
import { handleForm } from "./forms.js";
import { formatDateTime, t } from "./i18n.js";
import { newKey } from "./outbox.js";
import { navigate } from "./router.js";
import { announce, slot } from "./screen.js";
import { termLabel } from "./volunteer-profile.js";
import { pagedList } from "./worker-lists.js";
import { checkedValues, choices } from "./worker-resident-edit.js";
import { linkButton, load, workerScreen } from "./worker.js";

export const BOARD_POLL_MS = 10000;
const UNREACHED_PER_PAGE = 20;
const PARTS = ["safe", "needs_help", "not_reached"];

function countsText(counts) {
  return t("worker.sweep.counts", counts);
}

/** Three parts of one bar, each as wide as its share: they always fill it exactly. */
function bar(counts) {
  const whole = document.createElement("div");
  whole.className = "sweep-bar";
  whole.setAttribute("aria-hidden", "true"); // the sentence beside it says the same in words
  for (const part of PARTS) {
    if (counts[part] > 0) {
      const piece = document.createElement("span");
      piece.className = `sweep-bar-${part.replace("_", "-")}`;
      piece.style.flexGrow = String(counts[part]);
      whole.append(piece);
    }
  }
  return whole;
}

function stateText(sweep) {
  return sweep.status === "open"
    ? t("worker.sweep.state_open", { time: formatDateTime(sweep.started_at), due: formatDateTime(sweep.answer_due_at) })
    : t("worker.sweep.state_closed", { time: formatDateTime(sweep.closed_at) });
}

/** `/worker/sweeps`: the sweeps of my grids, open ones first. */
export async function showSweeps(params, options) {
  const screen = workerScreen("worker-sweeps", "worker.sweep.title", options);
  const build = (sweep) => linkButton(`/worker/sweeps/${sweep.id}`, t("worker.sweep.entry", {
    name: sweep.name, state: t(`worker.sweep.status_${sweep.status}`), counts: countsText(sweep.totals),
  }));
  const open = pagedList(screen, { build, countKey: "worker.sweep.shown", countAll: false,
    list: "open-list", more: "open-more", count: "open-count", empty: "open-empty" });
  const closed = pagedList(screen, { build, countKey: "worker.sweep.shown", countAll: false,
    list: "closed-list", more: "closed-more", count: "closed-count", empty: "closed-empty" });
  await Promise.all([open.show("/api/v1/sweeps?status=open"), closed.show("/api/v1/sweeps?status=closed")]);
}

/** `/worker/sweeps/new`: whom to ask; then the board of the new sweep. */
export async function showNewSweep(params, options) {
  const screen = workerScreen("worker-sweep-new", "worker.sweep.new_title", options);
  const form = screen.querySelector('[data-form="sweep"]');
  const key = newKey(); // a second tap (or a retry) starts nothing twice
  const labels = () => ({ name: t("worker.sweep.name"), grid_ids: t("worker.sweep.grids"),
    tags: t("worker.sweep.tags"), min_age: t("worker.sweep.min_age"),
    answer_minutes: t("worker.sweep.answer_minutes") });
  handleForm(form, {
    labels,
    check() {
      const problems = {};
      if (!form.elements.name.value.trim()) {
        problems.name = [t("worker.missing", { field: t("worker.sweep.name") })];
      }
      if (!checkedValues(form, "grid_ids").length) {
        problems.grid_ids = [t("worker.sweep.missing_grids")];
      }
      return problems;
    },
    submit() {
      const age = form.elements.min_age.value.trim();
      return api("POST", "/api/v1/sweeps", {
        name: form.elements.name.value.trim(),
        grid_ids: checkedValues(form, "grid_ids").map(Number),
        tags: checkedValues(form, "tags"),
        min_age: age ? Number(age) : null,
        answer_minutes: Number(form.elements.answer_minutes.value || 30),
      }, { headers: { "Idempotency-Key": key } });
    },
    async done(answer) {
      await navigate(`/worker/sweeps/${answer.body.id}`);
      announce(t("worker.sweep.started", { n: answer.body.households }));
    },
  });
  const [grids, community] = await Promise.all([load("/api/v1/grids?per_page=100"),
    load("/api/v1/communities/current")]);
  if (grids.ok) {
    const options = grids.body.items.map((grid) => [String(grid.id), grid.name]);
    choices(slot(screen, "grids"), { name: "grid_ids", options, idPrefix: "sweep-grid" });
    for (const box of form.querySelectorAll('input[name="grid_ids"]')) {
      box.checked = true; // the whole of my patch by default
    }
  }
  if (community.ok) {
    const options = community.body.risk_tags.map((tag) => [tag.code, termLabel(tag)]);
    choices(slot(screen, "tags"), { name: "tags", options, idPrefix: "sweep-tag" });
  }
}

function gridRow(grid) {
  const item = document.createElement("li");
  item.className = "sweep-grid";
  const name = document.createElement("h3");
  name.textContent = grid.grid_name;
  const words = document.createElement("p");
  words.textContent = countsText(grid);
  item.append(name, words, bar(grid));
  return item;
}

function unreachedRow(entry, gridNames) {
  const names = entry.residents.map((resident) => resident.address_as).join(t("worker.sweep.name_separator"));
  const who = entry.assignee_name ? t("worker.sweep.assigned_to", { name: entry.assignee_name })
    : t(`worker.sweep.waiting_${entry.status}`);
  const where = { names, building: entry.building_label, grid: gridNames[entry.grid_id] ?? "" };
  const lines = [t("worker.sweep.household", where), who];
  if (entry.attempts > 0) {
    lines.push(t("worker.sweep.tries", { n: entry.attempts, time: formatDateTime(entry.last_attempt_at) }));
  }
  if (entry.note) {
    lines.push(t("worker.sweep.note_was", { note: entry.note }));
  }
  return lines.map((line) => {
    const paragraph = document.createElement("p");
    paragraph.textContent = line;
    return paragraph;
  });
}

function helpState(alert) {
  if (alert.status === "open") {
    return t("worker.sweep.help_open");
  }
  if (alert.status === "acknowledged") {
    return t("worker.sweep.help_taken", { name: alert.owner?.display_name ?? "" });
  }
  return t("worker.sweep.help_done", { name: alert.resolved_by?.display_name ?? alert.owner?.display_name ?? "",
    note: alert.resolution_note ?? "" });
}

/**
 * The households found needing help, with what was done: each raised a `sweep_needs_help` alert
 * carrying the sweep's id, so they are read from the alerts of my grids (open and taken first).
 */
async function showNeedsHelp(screen, sweepId) {
  const alerts = await load("/api/v1/alerts?per_page=100");
  if (!alerts.ok) {
    return;
  }
  const ours = alerts.body.items.filter((alert) => alert.kind === "sweep_needs_help"
    && alert.data?.sweep_id === Number(sweepId));
  slot(screen, "help-list").replaceChildren(...ours.map((alert) => {
    const item = document.createElement("li");
    item.append(linkButton(`/alerts/${alert.id}`, t("worker.sweep.help_entry", {
      name: alert.resident?.address_as ?? "", building: alert.resident?.building_label ?? "", state: helpState(alert),
    })));
    return item;
  }));
}

function renderBoard(screen, board, page) {
  const { sweep, unreached } = board;
  slot(screen, "heading").textContent = sweep.name;
  slot(screen, "state").textContent = stateText(sweep);
  slot(screen, "totals").textContent = countsText(sweep.totals);
  slot(screen, "total-bar").replaceChildren(bar(sweep.totals));
  slot(screen, "grids").replaceChildren(...sweep.grids.map(gridRow));
  slot(screen, "needs-help").hidden = sweep.totals.needs_help === 0;
  slot(screen, "needs-help-text").textContent = t("worker.sweep.needs_help_text", { n: sweep.totals.needs_help });
  const gridNames = Object.fromEntries(sweep.grids.map((grid) => [grid.grid_id, grid.grid_name]));
  slot(screen, "list").replaceChildren(...unreached.items.map((entry) => {
    const item = document.createElement("li");
    item.className = "sweep-household";
    item.append(...unreachedRow(entry, gridNames));
    return item;
  }));
  slot(screen, "empty").hidden = unreached.items.length > 0;
  const pages = Math.max(1, Math.ceil(unreached.total / UNREACHED_PER_PAGE));
  slot(screen, "page").textContent = unreached.total
    ? t("worker.sweep.page", { page, pages, total: unreached.total }) : "";
  slot(screen, "previous").hidden = page <= 1;
  slot(screen, "next").hidden = page >= pages;
  slot(screen, "pager").hidden = pages <= 1;
  const open = sweep.status === "open";
  slot(screen, "close-form").hidden = !open;
  slot(screen, "assign").hidden = !open || sweep.totals.unassigned === 0;
  slot(screen, "report-item").hidden = open;
  slot(screen, "report").href = `/worker/sweeps/${sweep.id}/report`;
  slot(screen, "updated").textContent = open ? t("worker.sweep.updated", { time: formatDateTime(new Date(),
    { hour: "2-digit", minute: "2-digit", second: "2-digit" }) }) : "";
}

/** `/worker/sweeps/<id>`: the live board, read again while in view until the sweep is closed. */
export async function showSweepBoard([sweepId], options) {
  const screen = workerScreen("worker-sweep-board", "worker.sweep.board_title", options);
  const path = `/api/v1/sweeps/${sweepId}`;
  let page = 1;
  let open = true;
  const read = async () => {
    const answer = await load(`${path}/board?page=${page}&per_page=${UNREACHED_PER_PAGE}`);
    if (answer.ok) {
      open = answer.body.sweep.status === "open";
      renderBoard(screen, answer.body, page);
      if (answer.body.sweep.totals.needs_help > 0) {
        await showNeedsHelp(screen, sweepId);
      }
    }
    return answer;
  };
  const turn = async (step, focusName) => {
    page += step;
    await read();
    slot(screen, focusName).focus();
  };
  slot(screen, "previous").addEventListener("click", () => turn(-1, "unreached-heading"));
  slot(screen, "next").addEventListener("click", () => turn(1, "unreached-heading"));
  slot(screen, "assign").addEventListener("click", async () => {
    const answer = await api("POST", `${path}/assign`);
    announce(answer.ok ? t("worker.sweep.assigned") : answer.message ?? t("error.network"));
    await read();
  });
  const form = slot(screen, "close-form");
  handleForm(form, {
    busyText: () => t("worker.sweep.closing"),
    submit: () => api("POST", `${path}/close`),
    async done() {
      await navigate(`/worker/sweeps/${sweepId}/report`);
      announce(t("worker.sweep.closed"));
    },
  });
  await read();
  // Polled while this board is on screen and the page is visible; stops once it is gone or closed.
  const timer = setInterval(() => {
    if (!screen.isConnected || !open) {
      clearInterval(timer);
    } else if (document.visibilityState === "visible") {
      read();
    }
  }, BOARD_POLL_MS);
}

function reportRow(check) {
  const row = document.createElement("tr");
  const names = check.residents.map((resident) => resident.address_as).join(t("worker.sweep.name_separator"));
  let how = "";
  if (check.reached) {
    how = t("worker.sweep.reached_how", { time: formatDateTime(check.reached_at),
      via: t(`worker.sweep.via_${check.reached_via ?? "app"}`), name: check.reached_by_name ?? names });
  } else if (check.assignee_name) {
    how = t("worker.sweep.assigned_to", { name: check.assignee_name });
  }
  const cells = [`${check.grid_name} · ${check.building_label}`, names, t(`worker.sweep.check_${check.status}`), how,
    [check.attempts ? t("worker.sweep.tries_short", { n: check.attempts }) : "", check.note ?? ""]
      .filter(Boolean).join(" ")];
  row.append(...cells.map((text) => {
    const cell = document.createElement("td");
    cell.textContent = text;
    return cell;
  }));
  return row;
}

/** `/worker/sweeps/<id>/report`: the report frozen at closing, one clean printable page (or pages). */
export async function showSweepReport([sweepId], options) {
  const screen = workerScreen("worker-sweep-report", "worker.sweep.report_title", options);
  slot(screen, "back").href = `/worker/sweeps/${sweepId}`;
  slot(screen, "print").addEventListener("click", () => window.print());
  const answer = await load(`/api/v1/sweeps/${sweepId}/report`);
  if (!answer.ok) {
    return;
  }
  const report = answer.body;
  slot(screen, "heading").textContent = t("worker.sweep.report_heading", { name: report.name });
  slot(screen, "when").textContent = t("worker.sweep.report_when", { start: formatDateTime(report.started_at),
    end: formatDateTime(report.closed_at), name: report.closed_by_name });
  slot(screen, "totals").textContent = countsText(report.totals);
  slot(screen, "grids").replaceChildren(...report.grids.map((grid) => {
    const item = document.createElement("li");
    item.textContent = t("worker.sweep.grid_counts", { grid: grid.grid_name, counts: countsText(grid) });
    return item;
  }));
  slot(screen, "rows").replaceChildren(...report.checks.map(reportRow));
}
