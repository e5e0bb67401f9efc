"""`context.set(key, value)` with a key or value whose conversion throws: an `Error` with
`errorCode` 400 naming the member and the argument, and the context unchanged."""

from __future__ import annotations

from typing import Any

import pytest

SET_JS = r"""
async ([which, kind]) => {
  PyApm.reset({restoreDefaults: true});
  const id = await Microsoft.Apm.createSession({templateName: "msdyn_chat_session"});
  const ctx = await Microsoft.Apm.getSession(id).getContext();
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const values = {
    nullPrototype: Object.create(null),
    throwingProxy: new Proxy({}, { get() { throw new Error("trap"); } }),
    revokedProxy: revocable.proxy,
    throwingToString: { toString() { throw new Error("no string"); } },
    throwingToPrimitive: { [Symbol.toPrimitive]() { throw new RangeError("no primitive"); } },
  };
  const before = JSON.stringify((await Microsoft.Apm.getSession(id).getContext()).parameters);
  let error = null;
  try {
    if (which === "key") ctx.set(values[kind], 1); else ctx.set("k", values[kind]);
  } catch (e) {
    error = { isError: e instanceof Error, code: e.errorCode, message: e.message };
  }
  const after = JSON.stringify((await Microsoft.Apm.getSession(id).getContext()).parameters);
  return { error, unchanged: before === after };
}
"""

KEY = "context.set: key cannot be converted to a string ("
KEYS = {
    "nullPrototype": KEY + "TypeError: Cannot convert object to primitive value)",
    "throwingProxy": KEY + "Error: trap)",
    "revokedProxy": KEY + "TypeError: Cannot perform 'get' on a proxy that has been revoked)",
    "throwingToString": KEY + "Error: no string)",
    "throwingToPrimitive": KEY + "RangeError: no primitive)",
}
VALUES = {
    "throwingProxy": "context.set: value: reading it threw: Error: trap",
    "revokedProxy": "context.set: value: reading it threw: TypeError: Cannot perform 'get' on a "
    "proxy that has been revoked",
    "throwingToString": "context.set: value.toString contains a function",
}


@pytest.mark.parametrize(("which", "kind", "message"), [
    *(("key", k, m) for k, m in KEYS.items()),
    *(("value", k, m) for k, m in VALUES.items()),
])  # fmt: skip
def test_a_conversion_that_throws_is_a_400(
    apm_page: Any, which: str, kind: str, message: str
) -> None:
    out = apm_page.evaluate(SET_JS, [which, kind])
    assert out["error"] == {"isError": True, "code": 400, "message": message}
    assert out["unchanged"]
