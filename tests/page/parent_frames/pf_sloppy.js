// A web resource's own script in a separate file, sloppy mode (most web resources).
function sloppyFocused() {
  return parent.Microsoft.Apm.getFocusedSession().sessionId;
}

function sloppySetTitle(title) {
  parent.Microsoft.Apm.getFocusedSession().title = title;
}

function sloppyTabs() {
  return parent.Microsoft.Apm.getFocusedSession().getAllTabs();
}

function sloppyXrm() {
  return parent.Xrm.App.sessions.getFocusedSession().sessionId;
}

function sloppyRuntime() {
  return window.parent.Microsoft.AppRuntime.Sessions.getFocusedSession().sessionId;
}

function sloppyThen() {
  return parent.Microsoft.Apm.getFocusedSession().getContext().then((context) => {
    return parent.Microsoft.Apm.getFocusedSession().sessionId + "|" + context.templateName;
  });
}

function sloppyCreateTab(templateName) {
  return parent.Microsoft.Apm.createTab({ templateName: templateName, isFocused: false });
}

// An Xrm handler of this frame: the workspace runs it inside someone else's call.
function listenForSwitch() {
  parent.Xrm.App.sessions.addOnAfterSessionSwitch(function () {
    window.sessionsOnSwitch = parent.Microsoft.Apm.getAllSessions();
  });
}
