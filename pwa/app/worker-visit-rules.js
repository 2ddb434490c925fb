// The community's visit rules (走访规则), most frequent first and in words (「独居 + 高龄：每 7 天」).
// Staff read them; admins add, change (a screen of its own) and delete them (a confirmation under
// the rule). Changes need the network, as the roster's do: the server's refusal (an unknown tag,
// a staged rule with one number) is what the admin must act on. Nothing is stored from them: the
// due list is computed afresh on every read, so a change applies from the next one.

import { api } from "./api.js";
import { clearErrors } from "./errors.js";
import { handleForm } from "./forms.js";
import { t } from "./i18n.js";
import { navigate } from "./router.js";
import { announce, slot } from "./screen.js";
import { signedInUser } from "./session.js";
import { choices, checkedValues, setChecked } from "./worker-resident-edit.js";
import { termLabel } from "./worker-residents.js";
import { load, workerScreen } from "./worker.js";

const RULES = "/api/v1/visit-rules";
const DAY_FIELDS = ["interval_days", "first_interval_days", "first_period_days"];

function isAdmin() {
  return signedInUser().roles.includes("admin");
}

/**
 * The community's risk tags, with `label(code)` (its words in the page's language; a tag the
 * community no longer has: its code) and `order(codes)` (the community's own order of its tags,
 * so a rule reads 「独居 + 高龄」 as the resident screens list them, not in the codes' order).
 */
async function tagLabels() {
  const community = await load("/api/v1/communities/current");
  const tags = community.ok ? community.body.risk_tags : [];
  const label = (code) => {
    const tag = tags.find((term) => term.code === code);
    return tag ? termLabel(tag) : code;
  };
  const rank = (code) => {
    const index = tags.findIndex((term) => term.code === code);
    return index === -1 ? tags.length : index;
  };
  const order = (codes) => [...codes].sort((a, b) => rank(a) - rank(b));
  return { tags, label, order };
}

/** Whom the rule is about: 「独居 + 高龄」, or 「其他有标签的居民」 for a rule without tags. */
export function ruleWho(rule, labels) {
  return rule.tags.length ? labels.order(rule.tags).map(labels.label).join(t("worker.rules.tag_joiner"))
    : t("worker.rules.any_tag");
}

/** The rule in words: 「独居 + 高龄：每 7 天」, 「留守妇女：头 30 天每 7 天，之后每 14 天」. */
export function ruleWords(rule, labels) {
  const who = ruleWho(rule, labels);
  if (rule.first_interval_days && rule.first_period_days) {
    return t("worker.rules.staged", { who, period: rule.first_period_days, first: rule.first_interval_days,
      days: rule.interval_days });
  }
  return t("worker.rules.every", { who, days: rule.interval_days });
}

function button(text, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "button button-secondary";
  element.textContent = text;
  element.addEventListener("click", () => onClick(element));
  return element;
}

function ruleRow(rule, labels, ask) {
  const item = document.createElement("li");
  item.className = "visit-rule";
  const words = document.createElement("p");
  words.className = "visit-rule-words";
  words.textContent = ruleWords(rule, labels);
  item.append(words);
  if (isAdmin()) {
    const who = ruleWho(rule, labels);
    const edit = document.createElement("a");
    edit.className = "button button-secondary";
    edit.href = `/worker/visit-rules/${rule.id}`;
    edit.textContent = t("worker.rules.edit_named", { who });
    const remove = button(t("worker.rules.delete_named", { who }),
      (opener) => ask(opener, rule, ruleWords(rule, labels)));
    item.append(edit, remove);
  }
  return item;
}

/**
 * The list's one delete confirmation: it opens under the rule whose 删除 was tapped, says what
 * follows, and sends the DELETE on 确认删除; then the list is read again.
 */
function deleteConfirmation(screen, refresh) {
  const form = screen.querySelector('[data-form="delete-rule"]');
  let rule = null;
  let opener = null;
  form.querySelector('[data-action="cancel"]').addEventListener("click", () => {
    form.hidden = true;
    screen.append(form);
    opener?.focus();
  });
  handleForm(form, {
    async submit() {
      const answer = await api("DELETE", `${RULES}/${rule.id}`);
      // Gone already (another admin deleted it) is what was wanted: show the list as it is now.
      return answer.status === 404 ? { ok: true, status: 204 } : answer;
    },
    async done() {
      form.hidden = true;
      screen.append(form);
      await refresh();
      screen.querySelector("#visit-rules-heading").focus();
      announce(t("worker.rules.deleted"));
    },
  });
  return (button, next, words) => {
    rule = next;
    opener = button;
    clearErrors(form);
    slot(form, "confirm-heading").textContent = t("worker.rules.delete_question", { rule: words });
    button.closest("li").append(form);
    form.hidden = false;
    slot(form, "confirm-heading").focus();
  };
}

/** `/worker/visit-rules`: the rules in words; for admins 修改 / 删除 on each and 添加规则. */
export async function showVisitRules(params, options) {
  const screen = workerScreen("worker-visit-rules", "worker.rules.title", options);
  const admin = isAdmin();
  slot(screen, "only-admins").hidden = admin;
  slot(screen, "add").hidden = !admin;
  let ask = null;
  const refresh = async () => {
    const [rules, labels] = await Promise.all([load(RULES), tagLabels()]);
    if (!rules.ok) {
      slot(screen, "empty").textContent = rules.message;
      slot(screen, "empty").hidden = false;
      return;
    }
    slot(screen, "empty").hidden = rules.body.length > 0;
    slot(screen, "list").replaceChildren(...rules.body.map((rule) => ruleRow(rule, labels, ask)));
  };
  if (admin) {
    ask = deleteConfirmation(screen, refresh);
  }
  await refresh();
}

function ruleLabels() {
  return {
    tags: t("worker.rules.tags"), interval_days: t("worker.rules.interval_days"),
    first_interval_days: t("worker.rules.first_interval_days"), first_period_days: t("worker.rules.first_period_days"),
  };
}

/** Whole numbers are sent as numbers; anything else is sent as typed, for the server to refuse. */
function days(value) {
  const text = value.trim();
  if (!text) {
    return null;
  }
  return /^\d+$/.test(text) ? Number(text) : text;
}

function ruleBody(form) {
  const body = { tags: checkedValues(form, "tags") };
  for (const name of DAY_FIELDS) {
    body[name] = days(form.elements[name].value);
  }
  return body;
}

/**
 * A write that is safe to repeat: the same body keeps its Idempotency-Key (a retry after an answer
 * lost on a weak signal is not a second rule), a changed body gets a new one.
 */
function idempotentWriter() {
  let sent = null;
  let key = null;
  return (method, path, body) => {
    const text = JSON.stringify(body);
    if (text !== sent) {
      sent = text;
      key = crypto.randomUUID ? crypto.randomUUID() : String(Date.now() + Math.random());
    }
    return api(method, path, body, { headers: { "Idempotency-Key": key } });
  };
}

/** The add and change screens share one form: tags, the interval and an optional staged start. */
async function showRuleForm(screen, { rule = null, submit, announcement }) {
  const form = screen;
  const write = idempotentWriter();
  handleForm(form, {
    labels: ruleLabels,
    check: () => (form.elements.interval_days.value.trim() ? {}
      : { interval_days: [t("worker.rules.missing_interval")] }),
    submit: () => write(...submit(ruleBody(form))),
    async done() {
      await navigate("/worker/visit-rules");
      announce(announcement);
    },
  });
  const labels = await tagLabels();
  const held = rule ? rule.tags.filter((code) => !labels.tags.some((tag) => tag.code === code)) : [];
  choices(slot(screen, "tags"), { name: "tags", idPrefix: "rule-tag",
    options: [...labels.tags.map((tag) => [tag.code, termLabel(tag)]), ...held.map((code) => [code, code])] });
  if (rule) {
    setChecked(form, "tags", rule.tags);
    for (const name of DAY_FIELDS) {
      form.elements[name].value = rule[name] ?? "";
    }
  }
  slot(screen, "loading").hidden = true;
  slot(screen, "fields").hidden = false;
  return labels;
}

/** `/worker/visit-rules/new`: add a rule (admins). */
export async function showNewVisitRule(params, options) {
  if (!isAdmin()) {
    return navigate("/worker/visit-rules", { replace: true });
  }
  const screen = workerScreen("worker-visit-rule", "worker.rules.add", options);
  slot(screen, "heading").textContent = t("worker.rules.add");
  slot(screen, "submit").textContent = t("worker.rules.add");
  return showRuleForm(screen, {
    submit: (body) => ["POST", RULES, body],
    announcement: t("worker.rules.added"),
  });
}

/** `/worker/visit-rules/<id>`: change a rule (admins); the rule is found in the community's list. */
export async function showVisitRule([ruleId], options) {
  if (!isAdmin()) {
    return navigate("/worker/visit-rules", { replace: true });
  }
  const screen = workerScreen("worker-visit-rule", "worker.rules.edit", options);
  slot(screen, "heading").textContent = t("worker.rules.edit");
  slot(screen, "submit").textContent = t("worker.rules.save");
  const rules = await load(RULES);
  const rule = rules.ok ? rules.body.find((entry) => entry.id === Number(ruleId)) : null;
  if (!rule) {
    slot(screen, "loading").textContent = rules.ok ? t("worker.rules.not_found") : rules.message;
    return null;
  }
  const labels = await showRuleForm(screen, {
    rule,
    submit: (body) => ["PATCH", `${RULES}/${rule.id}`, body],
    announcement: t("worker.rules.saved"),
  });
  slot(screen, "heading").textContent = t("worker.rules.edit_of", { rule: ruleWords(rule, labels) });
  return null;
}
