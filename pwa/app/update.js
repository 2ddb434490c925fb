// Registers the service worker (where the browser has one: iOS WeChat does not, and the app
// works online without it) and offers a new version with a button: only a tap activates it
// and reloads, so the page never changes under someone's fingers.

const OFFER = {
  "zh-CN": "新版本可用 — 点击刷新",
  en: "New version available — tap to refresh",
};
// An app left open for days still hears of new versions when it comes back to the front.
const CHECK_AT_MOST_EVERY_MS = 60 * 60 * 1000;
// Set when another tab switched the app to a new version while this page runs the old one.
let outdated = false;

/**
 * Load one of the app's lazily imported modules. After another tab took a new version, a module
 * fetched now would come from that version and mix with this page's old ones: the page is
 * reloaded into the new version at the same address instead.
 */
export function importModule(load) {
  if (outdated) {
    window.location.reload();
    return new Promise(() => {});
  }
  return load();
}

/**
 * importModule(load), with the modules it imports itself (`alongside`, e.g. [() => import("./forms.js")])
 * asked for at the same moment, so that it finds them on their way instead of discovering them one
 * round trip at a time. Resolves to the module `load` imports.
 */
export async function importWith(load, alongside) {
  const [module] = await Promise.all([importModule(load), ...alongside.map(importModule)]);
  return module;
}

export function startServiceWorker() {
  if (!("serviceWorker" in navigator)) {
    return;
  }
  const region = liveRegion();
  let tapped = false;
  let controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (tapped) {
      window.location.reload();
    } else if (controlled) {
      // Another tab of this app took the new version: this one keeps its page until a tap.
      outdated = true;
      offer(region, () => window.location.reload());
    }
    // else the first version's worker took in this page of a first visit: nothing to offer.
    controlled = true;
  });
  // After the page has loaded, so installing never competes with the first screen for bandwidth.
  whenLoaded(async () => {
    let registration;
    try {
      registration = await navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" });
    } catch {
      return; // e.g. storage blocked in a private window: the app still works online
    }
    if (!registration) {
      return; // a browser that blocks service workers may resolve without a registration
    }
    const activateNewVersion = () => {
      tapped = true;
      if (registration.waiting) {
        registration.waiting.postMessage({ type: "skip-waiting" });
      } else {
        window.location.reload();
      }
    };
    // Only an update is offered: a first install has no page of an older version to replace.
    if (registration.waiting && navigator.serviceWorker.controller) {
      offer(region, activateNewVersion);
    }
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) {
          offer(region, activateNewVersion);
        }
      });
    });
    let lastCheck = Date.now();
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && Date.now() - lastCheck > CHECK_AT_MOST_EVERY_MS) {
        lastCheck = Date.now();
        registration.update().catch(() => {});
      }
    });
  });
}

function whenLoaded(callback) {
  if (document.readyState === "complete") {
    callback();
  } else {
    window.addEventListener("load", callback, { once: true });
  }
}

// The banner lives in an element of its own, present (empty) from the start so that screen
// readers announce the offer when it appears. It sticks to the bottom of the screen while
// there is more page below, and never covers the end of the page.
function liveRegion() {
  const region = document.createElement("div");
  region.setAttribute("role", "status");
  region.className = "update-banner";
  Object.assign(region.style, {
    position: "sticky",
    bottom: "0",
    zIndex: "10",
    background: "inherit",
  });
  document.body.append(region);
  return region;
}

function offer(region, onTap) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button";
  button.setAttribute("data-primary", "");
  button.textContent = document.documentElement.lang === "en" ? OFFER.en : OFFER["zh-CN"];
  // Sizes that hold whatever the app's stylesheet does; colours come from its .button.
  Object.assign(button.style, { font: "inherit", fontWeight: "700", minHeight: "3.75rem", width: "100%" });
  button.addEventListener("click", onTap);
  Object.assign(region.style, {
    padding: "0.75rem 1rem",
    borderTop: "0.1875rem solid currentColor",
  });
  region.replaceChildren(button);
  document.documentElement.style.scrollPaddingBottom = `${region.offsetHeight}px`;
}
