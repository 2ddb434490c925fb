"""朗读 in real Chromium: with speech-dispatcher and espeak-ng, a tap reads the page, heading first,
in a Chinese voice; without a Chinese voice the button is not offered."""
import os
import shutil
import subprocess
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.care import make_family
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, RECORD_CSP_VIOLATIONS
from tests.e2e.journeys import submit_sign_in
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# Notes every utterance the page hands to the speech engine, and which ones the engine started.
RECORD_UTTERANCES = """
window.__utterances = [];
const speak = speechSynthesis.speak.bind(speechSynthesis);
speechSynthesis.speak = (utterance) => {
  const entry = { text: utterance.text, lang: utterance.lang, voice: utterance.voice && utterance.voice.lang,
                  started: false };
  utterance.addEventListener("start", () => { entry.started = true; });
  window.__utterances.push(entry);
  speak(utterance);
};
"""


@pytest.fixture(scope="module")
def family(live_server):
    return make_family(live_server.app)


@pytest.fixture(scope="module")
def speaking_browser(browser, tmp_path_factory):
    """Chromium with its speech-dispatcher backend on, talking to a speech-dispatcher of its own:
    with no sound card here, a shared one can hang after its first utterance and list no voices."""
    missing = [tool for tool in ("speech-dispatcher", "espeak-ng") if not shutil.which(tool)]
    if missing:
        reason = (f"{', '.join(missing)} missing: apt-get install -y speech-dispatcher "
                  "speech-dispatcher-espeak-ng espeak-ng")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("speechd")
    socket = home / "speechd.sock"
    dispatcher = subprocess.Popen(
        ["speech-dispatcher", "--run-single", "--timeout", "0", "--communication-method", "unix_socket",
         "--socket-path", str(socket), "--pid-file", str(home / "speechd.pid"), "--log-dir", str(home)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.05)
        chromium = browser.browser_type.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--enable-speech-dispatcher"],
            env={**os.environ, "SPEECHD_ADDRESS": f"unix_socket:{socket}"})
        yield chromium
        chromium.close()
    finally:
        dispatcher.terminate()
        try:
            dispatcher.wait(timeout=5)
        except subprocess.TimeoutExpired:
            dispatcher.kill()
            dispatcher.wait()


def _turn_read_aloud_on(page, phone):
    submit_sign_in(page, phone, DEMO_PASSWORD)
    page.get_by_role("link", name="设置").click()
    with page.expect_response("**/api/v1/me/preferences"):
        page.get_by_role("checkbox", name="朗读按钮").check()
    page.get_by_role("link", name="返回主页").click()


def test_read_aloud_reads_the_page_heading_first_in_a_chinese_voice(speaking_browser, live_server, family):
    context = speaking_browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740},
                                           has_touch=True, locale="zh-CN")
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    context.add_init_script(RECORD_UTTERANCES)
    page = context.new_page()
    page.goto("/")
    try:
        _turn_read_aloud_on(page, family.resident_phone)
        expect(page.get_by_role("heading", level=1)).to_have_text("您好，王奶奶")
        button = page.get_by_role("button", name="朗读", exact=True)
        expect(button).to_be_visible(timeout=15_000)  # voices arrive late, with voiceschanged
        assert page.evaluate("window.__utterances") == []  # nothing is read before a tap
        button.click()
        page.wait_for_function("() => window.__utterances.some((entry) => entry.started)", timeout=15_000)
        utterances = page.evaluate("window.__utterances")
        first = utterances[0]
        assert first["text"].startswith("您好，王奶奶"), utterances
        assert first["started"] and first["lang"] == "zh-CN"
        assert first["voice"].split("-")[0].lower() in ("zh", "cmn"), first
        assert all(len(entry["text"]) <= 60 for entry in utterances)  # sentence-sized pieces
        assert any(entry["text"] == "紧急求助" for entry in utterances)
        page.get_by_role("button", name="停止朗读").click()
        expect(page.get_by_role("button", name="朗读", exact=True)).to_be_visible()
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()


def test_without_a_chinese_voice_the_button_is_not_offered(open_tab, family):
    tab = open_tab("/")
    page = tab.page
    _turn_read_aloud_on(page, family.proxy_phone)  # the test browser has no speech engine
    expect(page.get_by_text("正在代 王奶奶 操作")).to_be_visible()
    assert page.evaluate("speechSynthesis.getVoices().length") == 0
    expect(page.get_by_role("button", name="朗读", exact=True)).to_be_hidden()
