"""The warm run helper exits within seconds once the files it was installed from are gone."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from py_apm.host import run_helper


def test_helper_exits_when_its_installation_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "run_helper.py"
    marker.write_text("")
    monkeypatch.setattr(run_helper, "INSTALLED_FILE", marker)

    async def no_browser(self: run_helper.Helper) -> None:
        raise RuntimeError("no browser in this test")

    monkeypatch.setattr(run_helper.Helper, "_start_browser", no_browser)

    async def scenario() -> tuple[bool, float]:
        helper = run_helper.Helper(tmp_path / "sock", idle_s=600)
        serving = asyncio.ensure_future(helper.serve())
        await asyncio.sleep(1.5)
        still_running = not serving.done()  # installed: it idles on (600 s)
        marker.unlink()  # `pip uninstall`
        started = time.monotonic()
        await asyncio.wait_for(serving, 10)
        return still_running, time.monotonic() - started

    # A thread of its own: a sync Playwright test earlier in the session leaves this one's loop
    # running, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        still_running, exit_s = pool.submit(asyncio.run, scenario()).result()
    assert still_running
    assert exit_s < 3, exit_s
    assert not (tmp_path / "sock").exists()
