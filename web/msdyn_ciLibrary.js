// py-apm's stand-in for <org>/webresources/Widget/msdyn_ciLibrary.js, the Channel Integration
// Framework 2.0 library a channel provider's widget loads (docs/cif.md).
//
// Load it as real providers do:
//   <script src="<org>/webresources/Widget/msdyn_ciLibrary.js" data-crmurl="<org>"
//           data-cifid="CIFMainLibrary"></script>
// or through a `ucilib=<org>/webresources/Widget/msdyn_ciLibrary.js` parameter of the widget's
// URL, or with nothing (the referrer is the org). It binds window.Microsoft.CIFramework to the
// py-apm workspace at the top of this window (which knows which provider frame is calling) and
// raises `CIFInitDone` on window once, in a later task, when the workspace is ready and the
// widget's document is parsed.
(function () {
  "use strict";
  const win = window;
  if (win.Microsoft && win.Microsoft.CIFramework && win.Microsoft.CIFramework.__pyApmCif) return;

  // The org is the workspace at the top of this window, whatever data-crmurl, ucilib= or the
  // referrer say (the library reads them to find where to post; py-apm calls the top directly).
  /** @returns {any} */
  function host() {
    try {
      const top = win.top;
      return top && top.PyApm && top.PyApm.__pyApmShim && typeof top.PyApm.__cif === "function" ? top : null;
    } catch (_) {
      return null; // a cross-origin top: no py-apm workspace can be reached
    }
  }

  const top = host();
  const ns = win.Microsoft || (win.Microsoft = {});
  if (top === null) {
    // Not inside a py-apm workspace: every member rejects, saying why.
    const why = "Microsoft.CIFramework: this page is not inside a py-apm workspace (open it as a " +
      "channel provider of `py-apm serve`, or load shim.js in the top window)";
    ns.CIFramework = new Proxy({}, {
      get: (_, name) => (name === "__pyApmCif" ? true : () => Promise.reject(Object.assign(new Error(why), { errorCode: 412 }))),
    });
    return;
  }
  ns.CIFramework = top.PyApm.__cif(win);

  let fired = false;
  function initDone() {
    if (fired) return;
    fired = true;
    setTimeout(() => {
      win.dispatchEvent(new CustomEvent("CIFInitDone", { detail: [top.location.origin] }));
    }, 0);
  }
  // Once the widget's document is parsed too: a listener added by a later script of the page
  // (after a stylesheet that blocks it) is not missed.
  const parsed = document.readyState === "loading"
    ? new Promise((done) => document.addEventListener("DOMContentLoaded", done, { once: true }))
    : Promise.resolve();
  Promise.all([top.PyApm.ready, parsed]).then(initDone,
    (/** @type {unknown} */ e) => console.error("[py-apm] the workspace did not start:", e));
})();
