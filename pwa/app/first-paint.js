// Runs in <head> before the first paint (a classic script, so it blocks parsing for a moment):
// puts this phone's saved display preferences on <html>, so big text or high contrast never
// flashes in after a small, low-contrast first frame. preferences.js keeps the same rules.
//
// It also marks <html> "starting" while the app's modules load, where this browser can run them:
// the footer's phone waits, invisible, for the first screen instead of being pushed down by it
// (main.js ends "starting"). A browser that never runs the app (no modules, a failed download)
// shows the footer after STARTING_MS anyway: the phone is the way to the community without it.
(function markStarting() {
  var STARTING_MS = 4000;
  if (!("noModule" in document.createElement("script"))) {
    return;
  }
  var root = document.documentElement;
  root.classList.add("starting");
  window.setTimeout(function () {
    root.classList.remove("starting");
  }, STARTING_MS);
})();
(function applySavedPreferences() {
  var saved;
  try {
    saved = JSON.parse(window.localStorage.getItem("linli.preferences") || "null");
  } catch (error) {
    saved = null;
  }
  if (!saved || typeof saved !== "object") {
    return;
  }
  var root = document.documentElement;
  root.classList.toggle("elder-mode", saved.elder_mode === true);
  root.classList.toggle("high-contrast", saved.high_contrast === true);
  root.classList.toggle("text-large", saved.text_size === "large");
  root.classList.toggle("text-extra-large", saved.text_size === "extra_large");
  if (saved.language === "en" || saved.language === "zh-CN") {
    root.lang = saved.language;
  }
})();
// Who is signed in is asked at once, while the app's modules are still downloading, instead of
// after them (session.js takes the answer): on a slow network the home shows a round trip sooner.
// Only a browser that signed in before asks (same request, headers and cookies as api.js); any
// other gets the sign-in screen's modules preloaded, which the start-up modules leave out (and the
// link screen's on a /link/ address).
(function askWhoIsSignedIn() {
  var signedIn = false;
  try {
    signedIn = window.localStorage.getItem("linli.signedIn") === "1";
  } catch (error) {
    signedIn = false;
  }
  var root = document.documentElement;
  if (signedIn && window.fetch) {
    // In a task of its own, just after this one: a page's first fetch() is costly on a slow phone,
    // and this script holds up the parsing of the page.
    window.linliMe = new Promise(function (resolve) {
      window.setTimeout(function () {
        resolve(window.fetch("/api/v1/me", {
          credentials: "same-origin",
          headers: { Accept: "application/json", "Accept-Language": root.lang === "en" ? "en" : "zh-CN" },
        }));
      }, 0);
    });
    window.linliMe.catch(function () {}); // session.js reads a failure as "no network"
  }
  var modules = signedIn ? [] : ["sign-in", "forms", "errors"];
  if (/^\/link\//.test(window.location.pathname)) {
    modules = modules.concat(signedIn ? ["link", "errors"] : ["link"]);
  }
  modules.forEach(function (name) {
    var link = document.createElement("link");
    link.rel = "modulepreload";
    link.href = "/app/" + name + ".js";
    document.head.appendChild(link);
  });
})();
