// What this browser remembers between visits: whether it is signed in and whether a worker
// linked it to a resident (only such a phone may use a PIN), plus a label for its sessions.

const SIGNED_IN = "linli.signedIn";
const LINKED_DEVICE = "linli.linkedDevice";

function read(key) {
  try {
    return window.localStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}

function write(key, on) {
  try {
    if (on) {
      window.localStorage.setItem(key, "1");
    } else {
      window.localStorage.removeItem(key);
    }
  } catch {
    // Storage can be switched off (private mode, some in-app browsers); the server still knows.
  }
}

export const remembered = {
  get signedIn() {
    return read(SIGNED_IN);
  },
  set signedIn(on) {
    write(SIGNED_IN, on);
  },
  get linkedDevice() {
    return read(LINKED_DEVICE);
  },
  set linkedDevice(on) {
    write(LINKED_DEVICE, on);
  },
};

/** A name for this device in the user's list of signed-in devices, e.g. "安卓手机 · 微信". */
export function deviceLabel() {
  const agent = navigator.userAgent;
  const kinds = [
    [/Android/, "安卓手机"], [/iPhone/, "iPhone"], [/iPad/, "iPad"],
    [/Windows/, "Windows 电脑"], [/Macintosh/, "Mac 电脑"], [/Linux|CrOS/, "电脑"],
  ];
  const browsers = [
    [/MicroMessenger/, "微信"], [/Edg\//, "Edge"], [/Firefox\//, "Firefox"],
    [/Chrome\/|Chromium\//, "Chrome"], [/Safari\//, "Safari"],
  ];
  const system = kinds.find(([pattern]) => pattern.test(agent))?.[1] || "设备";
  const browser = browsers.find(([pattern]) => pattern.test(agent))?.[1] || "浏览器";
  return `${system} · ${browser}`;
}
