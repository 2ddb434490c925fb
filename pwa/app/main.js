// The Linli PWA: applies this phone's display preferences, learns who is signed in, and routes
// each address to its screen; the footer keeps the right phone number on every screen.

import { showComingSoon, showSos, serverPhone } from "./calls.js";
import { helpPhoneFor, showHome, showProxyHome, subjectOfPath } from "./home.js";
import { showHelpPhone } from "./help-phone.js";
import { showLink } from "./link.js";
import { startOutbox } from "./outbox.js";
import { apply, current } from "./preferences.js";
import { startReadAloud } from "./read-aloud.js";
import { configure, route, startRouter } from "./router.js";
import { showSettings } from "./settings.js";
import { loadSignedInUser, signedInUser } from "./session.js";
import { showStart } from "./sign-in.js";
import { showRegister } from "./register.js";
import { showVolunteerAvailability, showVolunteerProfile } from "./volunteer-profile.js";
import { startServiceWorker } from "./update.js";
import { showDevices, showLinkCode, showResident, showResidents } from "./worker-residents.js";
import { showNewResident } from "./worker-register.js";
import { showVolunteers } from "./worker-volunteers.js";
import { showBuilding, showGrid, showHousehold, showNewHousehold, staffOnly } from "./worker.js";

/** A screen for signed-in people only; anyone else gets the sign-in form at the same address. */
function signedIn(show) {
  return (params, options) => (signedInUser() ? show(params, options) : showStart(options));
}

/** A volunteer's own screen; anyone else gets their home (or the sign-in form). */
function volunteerOnly(show) {
  return signedIn((params, options) => (signedInUser().roles.includes("volunteer")
    ? show(params, options) : showHome([], options)));
}

/** A screen a home leads to, about the resident or the relative at `/for/<id>`. */
function aboutSubject(show, { needsSignIn = true } = {}) {
  return ([residentId], options) => {
    const subject = subjectOfPath(residentId);
    if (!subject && needsSignIn) {
      return signedInUser() ? showHome([], options) : showStart(options);
    }
    return show(subject, options);
  };
}

route(/^\/link\/([^/]+)\/?$/, ([code], options) => showLink(code, options));
route(/^\/settings\/?$/, showSettings);
// SOS opens even for someone not signed in: it offers the community's phone and 120.
route(/^(?:\/for\/(\d+))?\/sos\/?$/, aboutSubject((subject, options) => showSos(subject, options),
  { needsSignIn: false }));
route(/^(?:\/for\/(\d+))?\/(?:ask-for-help|im-ok)\/?$/, aboutSubject(showComingSoon));
route(/^\/for\/(\d+)\/?$/, signedIn(showProxyHome));
// volunteer and provider screens
route(/^\/register\/?$/, showRegister);
route(/^\/volunteer\/profile\/?$/, volunteerOnly(showVolunteerProfile));
route(/^\/volunteer\/availability\/?$/, volunteerOnly(showVolunteerAvailability));
// end of volunteer and provider screens
route(/^\/$/, signedIn(showHome));
// worker screens (workers and admins)
const staff = (show) => signedIn(staffOnly(show));
route(/^\/worker\/grids\/(\d+)\/?$/, staff(showGrid));
route(/^\/worker\/buildings\/(\d+)\/?$/, staff(showBuilding));
route(/^\/worker\/buildings\/(\d+)\/new-household\/?$/, staff(showNewHousehold));
route(/^\/worker\/households\/(\d+)\/?$/, staff(showHousehold));
route(/^\/worker\/households\/(\d+)\/new-resident\/?$/, staff(showNewResident));
route(/^\/worker\/residents\/?$/, staff(showResidents));
route(/^\/worker\/residents\/(\d+)\/?$/, staff(showResident));
route(/^\/worker\/residents\/(\d+)\/link-code\/?$/, staff(showLinkCode));
route(/^\/worker\/residents\/(\d+)\/devices\/?$/, staff(showDevices));
route(/^\/worker\/volunteers\/?$/, staff(showVolunteers));
// end of worker screens
configure({
  notFound: signedIn(showHome),
  after: () => showHelpPhone(helpPhoneFor(signedInUser()) ?? fallbackHelp()),
});

function fallbackHelp() {
  const phone = serverPhone();
  return phone ? { phone, kind: "community" } : null;
}

async function start() {
  serverPhone(); // read before the footer is rewritten
  apply(current());
  startReadAloud();
  await loadSignedInUser();
  await startRouter();
  startOutbox();
}

start();
startServiceWorker();
