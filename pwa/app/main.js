// The Linli PWA: applies this phone's display preferences, learns who is signed in, and routes
// each address to its screen; the footer keeps the right phone number on every screen.

import { showSos, serverPhone } from "./calls.js";
import { helpPhoneFor, showHome, showProxyHome, subjectOfPath } from "./home.js";
import { showHelpPhone } from "./help-phone.js";
import { startInbox } from "./inbox.js";
import { startOutbox } from "./outbox.js";
import { loadCatalogue, loadStaffTexts, loadSweepCheckTexts, loadVisitTexts } from "./i18n.js";
import { cachedRead } from "./offline-data.js";
import { apply, current, onChange } from "./preferences.js";
import { configure, navigate, route, startRouter } from "./router.js";
import { loadStaffTemplates } from "./screen.js";
import { isStaff, loadSignedInUser, signedInUser } from "./session.js";
import { importModule, startServiceWorker } from "./update.js";

/** A screen whose module is fetched the first time it is needed: each role downloads its own
 * screens only (the service worker still precaches them all for offline use). */
function lazy(load, name) {
  return async (params, options) => (await importModule(load))[name](params, options);
}

// The sign-in and link screens are not needed by someone signed in, so the start-up modules leave
// them (and forms.js, errors.js) out; first-paint.js preloads them for a browser not signed in.
const showStart = async (options) => (await importModule(() => import("./sign-in.js"))).showStart(options);
const showLink = async (code, options) => (await importModule(() => import("./link.js"))).showLink(code, options);

const registerScreens = () => import("./register.js");
const volunteerScreens = () => import("./volunteer-profile.js");
const workerScreens = () => import("./worker.js");
const residentScreens = () => import("./worker-residents.js");
const placeScreens = () => import("./worker-places.js");
const residentEditScreens = () => import("./worker-resident-edit.js");
const consentScreens = () => import("./worker-consents.js");
const volunteerVettingScreens = () => import("./worker-volunteers.js");
const alertScreens = () => import("./alerts.js");
const workerRequestScreens = () => import("./worker-requests.js");

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
route(/^\/settings\/?$/, lazy(() => import("./settings.js"), "showSettings"));
// The inbox; /notifications is the address a notification kind without a screen of its own names.
route(/^\/(?:inbox|notifications)\/?$/, signedIn(lazy(() => import("./inbox-screen.js"), "showInbox")));
// SOS opens even for someone not signed in: it offers the community's phone and 120. Someone who
// may send it (the resident, a relative with request_help) gets the countdown, then its status.
const sosScreens = () => import("./sos.js");
async function pressSos(subject, options) {
  if (navigator.onLine === false) {
    return showSos(subject, options); // nothing could be sent: the phone numbers at once, no countdown
  }
  try {
    return (await importModule(sosScreens)).showSosCountdown(subject, options);
  } catch {
    return showSos(subject, options); // its module could not load: calling still works
  }
}
route(/^(?:\/for\/(\d+))?\/sos\/?$/, aboutSubject((subject, options) => (subject?.may.sos
  ? pressSos(subject, options) : showSos(subject, options)), { needsSignIn: false }));
route(/^(?:\/for\/(\d+))?\/sos\/(\d+)\/?$/, ([residentId, eventId], options) => aboutSubject(
  async (subject, shown) => (await importModule(sosScreens)).showSosStatus(subject, eventId, shown),
)([residentId], options));
// end of SOS
// 我很好: the resident's own; a relative's /for/<id>/im-ok is their home (never offered to them)
route(/^\/im-ok\/?$/, aboutSubject(lazy(() => import("./im-ok.js"), "showImOk")));
route(/^\/for\/(\d+)\/im-ok\/?$/, signedIn(showProxyHome));
// 应急排查: the resident's answer (the prompt's notification names /sweep-prompt/<sweep id>)
const sweepPrompt = ([sweepId], options) => aboutSubject(async (subject, shown) => (
  await importModule(() => import("./sweep-prompt.js"))).showSweepPrompt(subject, sweepId, shown))([], options);
route(/^\/sweep-prompt(?:\/(\d+))?\/?$/, sweepPrompt);
// help requests: the resident's (or proxy's) ask flow and requests, the volunteer's tasks
const askScreens = () => import("./ask.js");
const requestScreens = () => import("./requests.js");
const mayDo = (what, show) => (subject, options) => (subject.may[what] ? show(subject, options)
  : navigate(subject.base || "/", { replace: true }));
route(/^(?:\/for\/(\d+))?\/ask-for-help\/?$/, aboutSubject(mayDo("askForHelp", lazy(askScreens, "showAskForHelp"))));
route(/^(?:\/for\/(\d+))?\/requests\/?$/, aboutSubject(mayDo("requests", lazy(requestScreens, "showRequests"))));
route(/^(?:\/for\/(\d+))?\/requests\/(\d+)\/?$/, ([residentId, requestId], options) => aboutSubject(
  mayDo("requests", async (subject, shown) => (await importModule(requestScreens)).showRequest(subject, requestId, shown)),
)([residentId], options));
route(/^\/tasks\/(\d+)\/?$/, volunteerOnly(lazy(() => import("./tasks.js"), "showTask")));
// Every help-request notification names /help-requests/<id>: the screen of that request for the
// reader — the worker's, the volunteer's task, or the resident's (or their relative's) request.
route(/^\/help-requests\/(\d+)\/?$/, signedIn(async ([requestId]) => {
  const user = signedInUser();
  const mine = (path) => navigate(path, { replace: true });
  if (isStaff(user)) {
    return mine(`/worker/requests/${requestId}`);
  }
  const answer = await cachedRead(`/api/v1/help-requests/${requestId}`);
  const residentId = answer.ok ? answer.body.resident.id : null;
  const relative = user.proxy_for.find((link) => link.resident_id === residentId)
    ?? (!answer.ok && user.proxy_for.length === 1 ? user.proxy_for[0] : null);
  if (user.roles.includes("resident") && (user.resident?.id === residentId || !answer.ok)) {
    return mine(`/requests/${requestId}`);
  }
  if (relative) {
    return mine(`/for/${relative.resident_id}/requests/${requestId}`);
  }
  return mine(user.roles.includes("volunteer") ? `/tasks/${requestId}` : "/");
}));
// end of help requests
// visit summaries: a relative with view_visit_summaries reads their resident's, a resident their own
route(/^(?:\/for\/(\d+))?\/visits\/?$/, aboutSubject(mayDo("visits",
  lazy(() => import("./visit-summaries.js"), "showVisitSummaries"))));
// end of visit summaries
// neighbourhood services: a resident's own, a relative's for the resident (distance from their home),
// and the same list for volunteers, workers and providers
const serviceScreens = () => import("./services.js");
const aboutAnyone = (show) => signedIn(([residentId, ...rest], options) => {
  const subject = subjectOfPath(residentId) ?? (residentId === undefined ? { base: "", actingFor: false } : null);
  return subject ? show(subject, rest, options) : navigate("/", { replace: true });
});
route(/^(?:\/for\/(\d+))?\/services\/?$/, aboutAnyone(async (subject, rest, options) => (
  await importModule(serviceScreens)).showServices(subject, options)));
route(/^(?:\/for\/(\d+))?\/services\/(\d+)\/?$/, aboutAnyone(async (subject, [serviceId], options) => (
  await importModule(serviceScreens)).showService(subject, serviceId, options)));
// end of neighbourhood services
route(/^\/for\/(\d+)\/?$/, signedIn(showProxyHome));
// volunteer and provider screens
route(/^\/register\/?$/, lazy(registerScreens, "showRegister"));
route(/^\/volunteer\/profile\/?$/, volunteerOnly(lazy(volunteerScreens, "showVolunteerProfile")));
route(/^\/volunteer\/availability\/?$/, volunteerOnly(lazy(volunteerScreens, "showVolunteerAvailability")));
route(/^\/volunteer\/timebank\/?$/, volunteerOnly(lazy(() => import("./timebank.js"), "showTimebank")));
// 应急排查: the households given to a volunteer or worker; its strings beside it
route(/^\/sweep-checks\/?$/, signedIn(lazy(async () => (await Promise.all([import("./sweep-checks.js"),
  loadSweepCheckTexts()]))[0], "showSweepChecks")));
// end of volunteer and provider screens
route(/^\/$/, signedIn(showHome));
// worker screens (workers and admins)
const staff = (load, name) => signedIn(async (params, options) => {
  if (!isStaff(signedInUser())) {
    return navigate("/", { replace: true });
  }
  await Promise.all([loadStaffTexts(), loadStaffTemplates()]);
  return lazy(load, name)(params, options);
});
route(/^\/worker\/grids\/(\d+)\/?$/, staff(placeScreens, "showGrid"));
route(/^\/worker\/buildings\/(\d+)\/?$/, staff(placeScreens, "showBuilding"));
route(/^\/worker\/buildings\/(\d+)\/new-household\/?$/, staff(workerScreens, "showNewHousehold"));
route(/^\/worker\/households\/(\d+)\/?$/, staff(workerScreens, "showHousehold"));
route(/^\/worker\/households\/(\d+)\/new-resident\/?$/, staff(() => import("./worker-register.js"), "showNewResident"));
route(/^\/worker\/residents\/?$/, staff(residentScreens, "showResidents"));
route(/^\/worker\/residents\/(\d+)\/?$/, staff(residentScreens, "showResident"));
route(/^\/worker\/residents\/(\d+)\/link-code\/?$/, staff(residentScreens, "showLinkCode"));
route(/^\/worker\/residents\/(\d+)\/devices\/?$/, staff(residentScreens, "showDevices"));
route(/^\/worker\/residents\/(\d+)\/edit\/?$/, staff(residentEditScreens, "showEditResident"));
route(/^\/worker\/residents\/(\d+)\/status\/?$/, staff(residentEditScreens, "showStatus"));
route(/^\/worker\/residents\/(\d+)\/contacts\/new\/?$/, staff(residentEditScreens, "showNewContact"));
route(/^\/worker\/residents\/(\d+)\/contacts\/(\d+)\/?$/, staff(residentEditScreens, "showContact"));
route(/^\/worker\/residents\/(\d+)\/consents\/new\/?$/, staff(consentScreens, "showNewConsent"));
route(/^\/worker\/residents\/(\d+)\/proxies\/new\/?$/, staff(consentScreens, "showNewProxy"));
route(/^\/worker\/residents\/(\d+)\/proxies\/(\d+)\/?$/, staff(consentScreens, "showProxyScopes"));
route(/^\/worker\/volunteers\/?$/, staff(volunteerVettingScreens, "showVolunteers"));
route(/^\/worker\/volunteers\/all\/?$/, staff(volunteerVettingScreens, "showAllVolunteers"));
route(/^\/worker\/volunteers\/(\d+)\/?$/, staff(volunteerVettingScreens, "showVolunteer"));
route(/^\/worker\/requests\/?$/, staff(workerRequestScreens, "showWorkerRequests"));
route(/^\/worker\/requests\/(\d+)\/?$/, staff(workerRequestScreens, "showWorkerRequest"));
route(/^\/worker\/callbacks\/?$/, staff(() => import("./worker-callbacks.js"), "showCallbacks"));
route(/^\/worker\/plan\/?$/, staff(() => import("./worker-plan.js"), "showPlanTomorrow"));
// daily check-ins: today's list and a resident's enrolment
route(/^\/worker\/check-ins\/?$/, staff(() => import("./worker-check-ins.js"), "showCheckIns"));
route(/^\/worker\/residents\/(\d+)\/check-in\/?$/, staff(() => import("./worker-check-ins.js"), "showEnrolment"));
// end of worker screens
// visits: the due list, the day plan (the calendar's link target) and the visit record form
const dayPlanScreens = () => import("./worker-day-plan.js");
// The form's strings are a catalogue of their own (zh-CN-visits.js), fetched beside it.
const visitRecordScreens = async () => (await Promise.all([import("./visit-record.js"), loadVisitTexts()]))[0];
route(/^\/worker\/visits\/?$/, staff(() => import("./worker-visits.js"), "showWorkerVisits"));
route(/^\/worker\/visits\/plan\/?$/, staff(dayPlanScreens, "showDayPlans"));
route(/^\/worker\/visits\/plan\/(\d+)\/?$/, staff(dayPlanScreens, "showDayPlan"));
route(/^\/worker\/visits\/record\/(\d+)\/?$/, staff(visitRecordScreens, "showWorkerVisitRecord"));
route(/^\/volunteer\/visits\/(\d+)\/?$/, volunteerOnly(lazy(visitRecordScreens, "showVolunteerVisit")));
// end of visits
// alerts (safety notifications link to /alerts/<id>) and the on-duty roster: workers and admins
route(/^\/alerts\/?$/, staff(alertScreens, "showAlerts"));
route(/^\/alerts\/(\d+)\/?$/, staff(alertScreens, "showAlert"));
// SOS events: the list, and one with 我来处理 and its close with a note
route(/^\/worker\/sos\/?$/, staff(() => import("./worker-sos.js"), "showSosEvents"));
route(/^\/worker\/sos\/(\d+)\/?$/, staff(() => import("./worker-sos.js"), "showSosEvent"));
route(/^\/roster\/?$/, staff(() => import("./roster.js"), "showRoster"));
// 应急排查: the sweeps, starting one, the live board, the report
const sweepScreens = () => import("./worker-sweeps.js");
route(/^\/worker\/sweeps\/?$/, staff(sweepScreens, "showSweeps"));
route(/^\/worker\/sweeps\/new\/?$/, staff(sweepScreens, "showNewSweep"));
route(/^\/worker\/sweeps\/(\d+)\/?$/, staff(sweepScreens, "showSweepBoard"));
route(/^\/worker\/sweeps\/(\d+)\/report\/?$/, staff(sweepScreens, "showSweepReport"));
// end of alerts and the roster
// visit rules: staff read them, admins change them
const visitRuleScreens = () => import("./worker-visit-rules.js");
route(/^\/worker\/visit-rules\/?$/, staff(visitRuleScreens, "showVisitRules"));
route(/^\/worker\/visit-rules\/new\/?$/, staff(visitRuleScreens, "showNewVisitRule"));
route(/^\/worker\/visit-rules\/(\d+)\/?$/, staff(visitRuleScreens, "showVisitRule"));
// end of visit rules
configure({
  notFound: signedIn(showHome),
  after: () => showHelpPhone(helpPhoneFor(signedInUser()) ?? fallbackHelp()),
});

function fallbackHelp() {
  const phone = serverPhone();
  return phone ? { phone, kind: "community" } : null;
}

/** 朗读 is fetched only once someone has it on (it is off by default), so most phones never
 * download it; turned on in settings (or by the server's copy of the preferences), it starts then. */
function startReadAloudWhenWanted() {
  let started = false;
  const startIfWanted = () => {
    if (!started && current().read_aloud) {
      started = true;
      importModule(() => import("./read-aloud.js")).then((module) => module.startReadAloud())
        .catch(() => { started = false; }); // not arrived (offline without the cache): next change
    }
  };
  onChange(startIfWanted);
  startIfWanted();
}

async function start() {
  serverPhone(); // read before the footer is rewritten
  // The strings and who this is are fetched side by side (one round trip, not two, before the
  // first screen); the strings come first anyway, so no screen is shown in the wrong language.
  const strings = loadCatalogue(current().language);
  const signedIn = loadSignedInUser(strings);
  await strings;
  apply(current());
  startReadAloudWhenWanted();
  await signedIn;
  await startRouter();
  document.documentElement.classList.remove("starting"); // first-paint.js: the footer may show now
  startOutbox();
  startInbox();
}

start();
startServiceWorker();
