"""What ``apm_page``'s undo takes back in place, without reloading the page (a reload is a boot:
seconds a test)."""

from __future__ import annotations

from typing import Any

PROVIDERS = {"channelProviders": [{"name": "p", "label": "P", "url": "samples/softphone.html"}]}
FRAMES = "[window.length, document.querySelectorAll('iframe').length]"


def test_frames_are_undone_without_a_reload(
    apm_page: Any, _apm_isolated_handle: Any, apm_options: dict[str, Any]
) -> None:
    """Tabs and channel-provider panels are frames of the workspace (``window.0``, ...), and
    an iframe the test added is one of its own: none is a global that needs a reload."""
    apm_page.evaluate("(options) => PyApm.reset(options)", {**apm_options, **PROVIDERS})
    apm_page.evaluate("Microsoft.Apm.createTab({templateName: 'msdyn_omnichannel_kbsearch'})")
    apm_page.evaluate(
        "document.body.append(Object.assign(document.createElement('iframe'), {id: 'left'}))"
    )
    # The workspace draws the tab's and the panel's frames on its next render.
    apm_page.wait_for_function(f"{FRAMES}[0] >= 3", timeout=10_000)
    _apm_isolated_handle.isolate(apm_options)  # what the next test's setup does
    assert _apm_isolated_handle.renewed == ""
    assert _apm_isolated_handle.page is apm_page
    assert apm_page.evaluate("document.getElementById('left')") is None
    window_frames, iframes = apm_page.evaluate(FRAMES)
    assert window_frames == iframes < 3
    assert apm_page.evaluate("PyApm.state().sessions[0].tabs.length") == 1
