// A small router on the history API: a table of path patterns to screens; links inside the app
// change the screen without reloading the page, and Back and Forward work.

const routes = [];
let fallback = () => {};
let afterEach = () => {};

/** Show `show(params, options)` for paths matching `pattern` (a RegExp; groups become params). */
export function route(pattern, show) {
  routes.push({ pattern, show });
}

/** Show `show` for any path no route takes; `after` runs after every screen. */
export function configure({ notFound, after }) {
  fallback = notFound;
  afterEach = after;
}

async function render(renderOptions) {
  const path = window.location.pathname;
  // The screen is tied to this address: if the person has gone elsewhere (Back while it was
  // still fetching), showScreen() leaves the screen they are on alone (screen.js).
  const options = { ...renderOptions, path };
  const match = routes.map(({ pattern, show }) => ({ show, found: path.match(pattern) }))
    .find(({ found }) => found);
  if (match) {
    await match.show(match.found.slice(1).map((part) => (part === undefined ? undefined : decodeURIComponent(part))), options);
  } else {
    await fallback([], options);
  }
  if (path === window.location.pathname) { // else the screen now shown had its own afterEach
    afterEach();
  }
}

/** Go to `path` inside the app (`replace`: without a new history entry). */
export function navigate(path, { replace = false } = {}) {
  if (replace) {
    window.history.replaceState(null, "", path);
  } else if (path !== window.location.pathname) {
    window.history.pushState(null, "", path);
  }
  return render({ moveFocus: true });
}

/** Show the current address again, e.g. after the language changed. */
export function rerender({ moveFocus = false } = {}) {
  return render({ moveFocus });
}

function insideApp(link, event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
      || event.altKey || link.target || link.hasAttribute("download")) {
    return false;
  }
  const url = new URL(link.href, window.location.href);
  return url.origin === window.location.origin && !url.pathname.startsWith("/api/");
}

/** Take over same-origin links and Back/Forward, then show the first screen. */
export function startRouter() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href]");
    if (!link || !insideApp(link, event)) {
      return;
    }
    event.preventDefault();
    navigate(new URL(link.href).pathname);
  });
  window.addEventListener("popstate", () => render({ moveFocus: true }));
  return render({ moveFocus: false });
}
