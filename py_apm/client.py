"""Drive `Microsoft.Apm` in a Playwright page with the same Pythonic API as `Workspace`.

`BrowserWorkspace(page)` calls the real documented members in the page (through `shim.js`) and
holds the real JS session/tab objects by handle, so a test written against `Workspace` runs
unchanged against the browser — one behaviour suite, two backends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .model.errors import ApmError
from .model.members import members, python_name
from .model.values import JsMap
from .model.workspace import Workspace as _Workspace  # noqa: F401 (it fills the registry)

HELPER_JS = r"""
() => {
  if (window.__apmTest) return;
  const MAP = "$pyapm:map";
  const revive = (v) => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === "object") {
      if (MAP in v && Object.keys(v).length === 1) {
        return new Map(v[MAP].map(([k, x]) => [k, revive(x)]));
      }
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = revive(x);
      return out;
    }
    return v;
  };
  const handles = new Map();
  let next = 0;
  const keep = (obj, kind, extra) => {
    handles.set(++next, obj);
    return {$handle: next, kind, ...extra};
  };
  const wrap = (v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const own = Object.getOwnPropertyDescriptor(v, "sessionId") || ("sessionId" in v);
      if ("getAllTabs" in v && own) return keep(v, "session", {id: v.sessionId});
      if ("refresh" in v && "tabId" in v) return keep(v, "tab", {id: v.tabId});
      if ("getTabContext" in v) return keep(v, "context", {});
    }
    return {value: v === undefined ? null : v, undef: v === undefined};
  };
  const fail = (e) => ({error: {
    message: e && e.message, errorCode: e && e.errorCode, isError: e instanceof Error,
    name: e && e.constructor && e.constructor.name, text: String(e)}});
  const events = [];
  window.__apmTest = {
    events, handles, revive,
    listen() {
      for (const name of ["ON_SESSION_SWITCH", "ON_SESSION_CLOSED", "ON_TAB_SWITCH"]) {
        const ch = new BroadcastChannel(Microsoft.Apm.getEventPublisherTopic(name));
        ch.onmessage = (m) => events.push({name, data: m.data});
      }
    },
    async run(handle, member, args, mode) {
      const obj = handle === 0 ? Microsoft.Apm : handles.get(handle);
      try {
        let r;
        if (mode === "get") r = obj[member];
        else if (mode === "set") { obj[member] = revive(args[0]); r = undefined; }
        else r = obj[member](...revive(args));
        if (r && typeof r.then === "function") r = await r;
        return {ok: wrap(r)};
      } catch (e) { return fail(e); }
    },
  };
}
"""


def _encode(value: Any) -> Any:
    """Python test values to what the page helper revives (JsMap → a JS Map)."""
    if isinstance(value, JsMap):
        return {"$pyapm:map": [[k, _encode(v)] for k, v in value.entries]}
    if isinstance(value, Mapping):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


@dataclass
class _Handle:
    workspace: BrowserWorkspace = field(repr=False)
    handle: int

    def _get(self, member: str) -> Any:
        return self.workspace._run(self.handle, member, [], "get")

    def _set(self, member: str, value: Any) -> None:
        self.workspace._run(self.handle, member, [value], "set")

    def _call(self, member: str, *args: Any) -> Any:
        return self.workspace._run(self.handle, member, list(args), "call")


@dataclass
class _Closable(_Handle):
    """What session and tab objects share: `title`, `canClose`, `close()`, `focus()`."""

    title = property(lambda self: self._get("title"), lambda self, v: self._set("title", v))
    can_close = property(
        lambda self: self._get("canClose"), lambda self, v: self._set("canClose", v)
    )

    def close(self) -> bool:
        return self._call("close")

    def focus(self) -> None:
        self._call("focus")


@dataclass
class BrowserTab(_Closable):
    """A JS tab object in the page."""

    tab_id: str = ""

    def refresh(self) -> None:
        self._call("refresh")


@dataclass
class BrowserContext(_Handle):
    """The object `session.getContext()` resolved to, in the page."""

    @property
    def parameters(self) -> dict[str, str]:
        return self._get("parameters")

    @property
    def template_name(self) -> str | None:
        return self._get("templateName")

    def get(self, key: str) -> Any:
        return self._call("get", key)

    def set(self, key: str, value: Any) -> None:
        self._call("set", key, value)

    def delete(self, key: str) -> None:
        self._call("delete", key)

    def get_tab_context(self, tab_id: str) -> Any:
        return self._call("getTabContext", tab_id)

    def resolve_slug(self, slug: str) -> str:
        return self._call("resolveSlug", slug)


@dataclass
class BrowserSession(_Closable):
    """A JS session object in the page."""

    session_id: str = ""

    is_default = property(lambda self: self._get("isDefault"))

    def request_focus(self) -> None:
        self._call("requestFocus")

    def get_focused_tab(self) -> BrowserTab:
        return self._call("getFocusedTab")

    def get_tab(self, tab_id: Any) -> BrowserTab | None:
        return self._call("getTab", tab_id)

    def get_all_tabs(self) -> list[str]:
        return self._call("getAllTabs")

    def can_create_tab(self) -> bool:
        return self._call("canCreateTab")

    def update_context(self, values: Any) -> BrowserContext:
        return self._call("updateContext", values)

    def resolve_slug(self, slug: Any) -> str:
        return self._call("resolveSlug", slug)

    def get_context(self) -> BrowserContext:
        return self._call("getContext")

    def create_tab(self, tab_input: Any) -> str:
        return self._call("createTab", tab_input)

    def get_all_tabs_for_template(self, template_name: Any) -> list[str]:
        return self._call("getAllTabsForTemplate", template_name)


class BrowserWorkspace:
    """`Workspace`'s API, answered by `Microsoft.Apm` / `PyApm` in a Playwright page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        page.evaluate(HELPER_JS)
        page.evaluate(
            "() => { if (!window.__apmListening) {"
            " __apmTest.listen(); window.__apmListening = true; } }"
        )

    def _run(self, handle: int, member: str, args: list[Any], mode: str) -> Any:
        reply = self.page.evaluate(
            "([h, m, a, mode]) => __apmTest.run(h, m, a, mode)",
            [handle, member, _encode(args), mode],
        )
        if "error" in reply:
            error = reply["error"]
            if not error.get("isError") or not isinstance(error.get("errorCode"), int):
                raise AssertionError(
                    f"the page threw something that is not an Error with errorCode: {error}"
                )
            raise ApmError(error["errorCode"], error["message"])
        return self._unwrap(reply["ok"])

    def _unwrap(self, wrapped: dict[str, Any]) -> Any:
        kind = wrapped.get("kind")
        if kind == "session":
            return BrowserSession(self, wrapped["$handle"], wrapped["id"])
        if kind == "tab":
            return BrowserTab(self, wrapped["$handle"], wrapped["id"])
        if kind == "context":
            return BrowserContext(self, wrapped["$handle"])
        return wrapped["value"]

    def _apm(self, member: str, *args: Any) -> Any:
        return self._run(0, member, list(args), "call")

    # Microsoft.Apm
    def get_focused_session(self) -> BrowserSession:
        return self._apm("getFocusedSession")

    def get_session(self, session_id: Any) -> BrowserSession | None:
        return self._apm("getSession", session_id)

    def get_all_sessions(self) -> list[str]:
        return self._apm("getAllSessions")

    def create_session(self, session_input: Any) -> str:
        return self._apm("createSession", session_input)

    def can_create_session(self) -> bool:
        return self._apm("canCreateSession")

    def create_tab(self, tab_input: Any) -> str:
        return self._apm("createTab", tab_input)

    def close_tab(self, tab_id: Any) -> bool:
        return self._apm("closeTab", tab_id)

    def focus_tab(self, tab_id: Any) -> None:
        self._apm("focusTab", tab_id)

    def refresh_tab(self, tab_id: Any) -> None:
        self._apm("refreshTab", tab_id)

    def get_event_publisher_topic(self, event_name: Any) -> str:
        return self._apm("getEventPublisherTopic", event_name)

    # Xrm.App.sessions: the model's create_page_session / create_page_tab, through that face
    def create_page_session(self, session_input: Any) -> str:
        return self._xrm("Xrm.App.sessions.createSession(a)", session_input)

    def create_page_tab(self, session_id: str, tab_input: Any) -> str:
        return self._xrm(
            "Xrm.App.sessions.getSession(sid).tabs.createTab(a)", tab_input, session_id
        )

    def _xrm(self, expression: str, value: Any, session_id: str | None = None) -> Any:
        reply = self.page.evaluate(
            f"""async ([sid, a]) => {{ a = __apmTest.revive(a);
            try {{ return {{ok: await {expression}}}; }}
            catch (e) {{ return {{error: {{message: e.message, errorCode: e.errorCode}}}}; }} }}""",
            [session_id, _encode(value)],
        )
        if "error" in reply:
            raise ApmError(reply["error"]["errorCode"], reply["error"]["message"])
        return reply.get("ok")

    # PyApm (test control)
    def _pyapm(self, expression: str, arg: Any = None) -> Any:
        reply = self.page.evaluate(
            f"""(arg) => {{ try {{ return {{ok: {expression}}}; }}
            catch (e) {{ return {{error: {{message: e.message, errorCode: e.errorCode}}}}; }} }}""",
            _encode(arg),
        )
        if "error" in reply:
            raise ApmError(reply["error"]["errorCode"], reply["error"]["message"])
        return reply.get("ok")

    def reset(self, options: Any = None) -> None:
        self._pyapm("(PyApm.reset(arg === null ? undefined : arg), null)", options)
        self.page.evaluate("() => { __apmTest.events.length = 0; __apmTest.handles.clear(); }")

    def configure(self, options: Any) -> dict[str, Any]:
        return self._pyapm("PyApm.configure(arg)", options)

    def state(self) -> dict[str, Any]:
        return self.page.evaluate("() => PyApm.state()")

    def calls(self) -> list[dict[str, Any]]:
        return self.page.evaluate("() => PyApm.calls()")

    def refresh_context(self, session_id: str) -> None:
        self._pyapm("(PyApm.refreshContext(arg), null)", session_id)

    def take_events(self) -> list[dict[str, Any]]:
        """Events received on the three BroadcastChannels since the last call."""
        return self.page.evaluate(
            """() => new Promise((done) => setTimeout(() => {
                 done(__apmTest.events.splice(0, __apmTest.events.length)); }, 30))"""
        )


# ---------------------------------------------------------------- Microsoft.CIFramework
CIF_JS = r"""
async ([provider, member, args]) => {
  const face = provider === "default" ? window.Microsoft.CIFramework : PyApm.__cif(provider);
  const fail = (e) => ({error: {message: e && e.message, errorCode: e && e.errorCode,
    isError: e instanceof Error}});
  try {
    const p = face[member](...__apmTest.revive(args));
    if (member !== "notifyEvent") {
      const r = await p;
      return {ok: r instanceof Map ? Object.fromEntries(r) : (r === undefined ? null : r)};
    }
    // notifyEvent settles when the agent answers: report the pending notification instead
    let settled = null;
    p.then((v) => { settled = {ok: {response: v}}; }, (e) => { settled = fail(e); });
    for (let i = 0; i < 3; i++) await Promise.resolve();
    if (settled) return settled;
    const pending = PyApm.notifications();
    const num = (n) => Number(n.id.split("-")[1]);
    const last = pending.reduce((a, n) => (num(n) > num(a) ? n : a));
    return {ok: {id: last.id, timeout: last.timeout}};
  } catch (e) { return fail(e); }
}
"""


def _cif_member(js_name: str) -> Any:
    def call(self: BrowserWorkspace, provider: str, *args: Any) -> Any:
        reply = self.page.evaluate(CIF_JS, [provider, js_name, _encode(list(args))])
        if "error" in reply:
            error = reply["error"]
            if not error.get("isError") or not isinstance(error.get("errorCode"), int):
                raise AssertionError(
                    f"the page rejected with something that is not a CIF Error: {error}"
                )
            raise ApmError(error["errorCode"], error["message"])
        return reply["ok"]

    call.__name__ = call.__qualname__ = python_name(f"cif.{js_name}")
    call.__doc__ = f"`Microsoft.CIFramework.{js_name}` as `provider`'s widget calls it."
    return call


# `ws.cif_create_session(provider, input)` and so on: the `cif.*` members of the registry,
# with the native model's signatures (`getSession` answers a dict of the Map's entries).
for _spec in members():
    if _spec.object == "cif":
        setattr(BrowserWorkspace, _spec.python_name, _cif_member(_spec.name.partition(".")[2]))


def _cif_control(self: BrowserWorkspace) -> dict[str, Any]:
    return self.page.evaluate("() => PyApm.cif()")


def _notifications(self: BrowserWorkspace) -> list[dict[str, Any]]:
    return self.page.evaluate("() => PyApm.notifications()")


def _respond(self: BrowserWorkspace, notification_id: str, response: str) -> str:
    return self._pyapm(
        "PyApm.ui.respondToNotification(arg[0], arg[1])", [notification_id, response]
    )


BrowserWorkspace.pyapm_cif = _cif_control  # type: ignore[attr-defined]
BrowserWorkspace.notifications = _notifications  # type: ignore[attr-defined]
BrowserWorkspace.ui_respond_to_notification = _respond  # type: ignore[attr-defined]
