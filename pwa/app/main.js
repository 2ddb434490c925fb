// The Linli PWA placeholder: picks the first screen from the address and what this browser
// remembers. (The full app, with its service worker, replaces this later.)

import { api } from "./api.js";
import { showLink } from "./link.js";
import { remembered } from "./session.js";
import { showStart } from "./sign-in.js";
import { showWelcome } from "./welcome.js";
import { startServiceWorker } from "./update.js";

async function start() {
  const first = { moveFocus: false };
  const link = window.location.pathname.match(/^\/link\/([^/]+)\/?$/);
  if (link) {
    showLink(decodeURIComponent(link[1]), first);
    return;
  }
  // Only a browser that signed in before asks who it is, so a first visit makes no request
  // that is bound to fail.
  if (remembered.signedIn) {
    const me = await api("GET", "/api/v1/me");
    if (me.ok) {
      showWelcome(me.body, first);
      return;
    }
    if (me.status === 401) {
      remembered.signedIn = false;
    }
  }
  showStart(first);
}

start();
startServiceWorker();
