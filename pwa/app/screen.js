// Showing one screen at a time from the shell's <template>s, with its title, focus and status line.

const SITE_NAME = "邻里";
const ERROR_PREFIX = "错误：";

let currentTitle = SITE_NAME;

/**
 * Replace the screen with a copy of <template id="screen-NAME">. `moveFocus` puts focus on the
 * new screen's heading so screen readers announce it; the first screen of a visit leaves it be.
 */
export function showScreen(name, title, { moveFocus = true } = {}) {
  const template = document.getElementById(`screen-${name}`);
  const container = document.getElementById("screen");
  container.replaceChildren(template.content.cloneNode(true));
  announce("");
  currentTitle = `${title} - ${SITE_NAME}`;
  document.title = currentTitle;
  if (moveFocus) {
    container.querySelector("h1")?.focus();
  }
  return container;
}

/** Mark the page title as showing errors (GOV.UK: the title starts with 「错误：」). */
export function markTitleWithErrors(hasErrors) {
  document.title = hasErrors ? ERROR_PREFIX + currentTitle : currentTitle;
}

/** A short message in the shell's role="status" line, read out without moving focus. */
export function announce(text) {
  document.getElementById("status").textContent = text;
}
