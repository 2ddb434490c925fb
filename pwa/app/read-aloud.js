// 朗读: reads the page's main content aloud with the browser's speechSynthesis, in the page's
// language (zh-CN: a voice whose language matches /^(zh|cmn)([-_]|$)/i — Android may report
// zh_CN). Only a tap starts it; the same button stops it. Hidden when the setting is off or the
// phone has no voice for the language.

import { language, t } from "./i18n.js";
import { current, onChange } from "./preferences.js";
import { onScreenShown } from "./screen.js";

const VOICE_LANGUAGES = { "zh-CN": /^(zh|cmn)([-_]|$)/i, en: /^en([-_]|$)/i };
const READABLE = "h1, h2, h3, p, li, legend, label, a, button";
const SENTENCE_END = /([。！？!?；;]|\.(?=\s))/g;

let button;
let speaking = false;

function synthesis() {
  return "speechSynthesis" in window ? window.speechSynthesis : null;
}

/** The best voice for the page's language: its exact region (zh-CN), then plain Mandarin, then any. */
export function voiceFor(lang, voices) {
  const pattern = VOICE_LANGUAGES[lang];
  const matching = voices.filter((voice) => pattern.test(voice.lang));
  const exact = lang.toLowerCase();
  return matching.find((voice) => voice.lang.replace("_", "-").toLowerCase() === exact)
    || matching.find((voice) => /^cmn$/i.test(voice.lang)) || matching[0] || null;
}

function voice() {
  const speech = synthesis();
  return speech ? voiceFor(language(), speech.getVoices()) : null;
}

/** The screen's text in reading order (its heading first), cut into sentence-sized pieces. */
export function sentencesOf(screen) {
  const visible = (element) => element.getClientRects().length > 0;
  const blocks = [...screen.querySelectorAll(READABLE)]
    .filter((element) => visible(element) && !element.parentElement.closest(READABLE));
  const heading = screen.querySelector("h1");
  const ordered = heading ? [heading, ...blocks.filter((block) => block !== heading)] : blocks;
  return ordered
    .flatMap((block) => block.innerText.replace(SENTENCE_END, "$1\n").split("\n"))
    .map((text) => text.trim())
    .filter(Boolean);
}

function show() {
  const wanted = current().read_aloud && voice() !== null;
  button.hidden = !wanted;
  button.closest("[data-page-tools]").hidden = !wanted;
  button.textContent = t(speaking ? "read_aloud.stop" : "read_aloud.start");
  if (!wanted && speaking) {
    stop();
  }
}

function stop() {
  speaking = false;
  synthesis()?.cancel();
  show();
}

function start() {
  const speech = synthesis();
  const chosen = voice();
  const sentences = sentencesOf(document.getElementById("screen"));
  if (!speech || !chosen || !sentences.length) {
    return;
  }
  speech.cancel();
  speaking = true;
  sentences.forEach((text, index) => {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = chosen;
    utterance.lang = language();
    utterance.rate = 0.9; // a little slower than the engine's default, for older ears
    if (index === sentences.length - 1) {
      utterance.addEventListener("end", () => speaking && stop());
    }
    utterance.addEventListener("error", () => speaking && stop());
    speech.speak(utterance);
  });
  show();
}

/** Wire the shell's 朗读 button; voices may arrive late, so it listens for voiceschanged. */
export function startReadAloud() {
  button = document.querySelector('[data-action="read-aloud"]');
  button.addEventListener("click", () => (speaking ? stop() : start()));
  synthesis()?.addEventListener?.("voiceschanged", show);
  onChange(show);
  // A new screen has new content: stop reading the old one.
  onScreenShown(() => (speaking ? stop() : show()));
  show();
}
