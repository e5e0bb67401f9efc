"use strict";
// The same calls from strict code (a class, as bundlers emit): no realm on the stack, only the
// script's URL.
class StrictApm {
  focused() {
    return window.parent.Microsoft.Apm.getFocusedSession().sessionId;
  }

  createTab(templateName) {
    return window.parent.Microsoft.Apm.createTab({ templateName, isFocused: false });
  }

  xrm() {
    return window.parent.Xrm.App.sessions.getFocusedSession().sessionId;
  }

  runtime() {
    return window.parent.Microsoft.AppRuntime.Sessions.getFocusedSession().sessionId;
  }
}
window.strictApm = new StrictApm();
