// Runs in <head> before the first paint (a classic script, so it blocks parsing for a moment):
// puts this phone's saved display preferences on <html>, so big text or high contrast never
// flashes in after a small, low-contrast first frame. preferences.js keeps the same rules.
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
