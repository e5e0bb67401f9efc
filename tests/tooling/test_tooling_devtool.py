"""Developer tooling: apm_open_webresource, --apm-timeline, py-apm serve --open PAGE."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from py_apm.host import cli
from py_apm.host.open_page import locate, open_url
from py_apm.host.server import ServerSetupError
from py_apm.host.timeline_report import artifact_folder, render_html

from .test_tooling_plugin import run_inner

AT_LOAD = """<!doctype html>
<html><head><script src="/shim.js"></script></head><body>
<script>
  // Runs while the page loads, without awaiting PyApm.ready: a real web resource never waits.
  document.body.dataset.session = Microsoft.Apm.getFocusedSession().sessionId;
  Microsoft.Apm.createTab({templateName: "msdyn_entityrecord", appContext: {entityName: "account"}})
      .then((id) => { document.body.dataset.tab = id; });
</script></body></html>
"""


def test_apm_open_webresource_runs_page_load_code(apm_page, apm_open_webresource, tmp_path):
    page = tmp_path / "at_load.html"
    page.write_text(AT_LOAD, "utf-8")
    frame = apm_open_webresource(page)
    assert frame.evaluate("document.body.dataset.session") == "session-id-0"
    frame.wait_for_function("document.body.dataset.tab !== undefined")
    created = frame.evaluate("document.body.dataset.tab")
    host = apm_page.evaluate("PyApm.calls().find((c) => c.method === 'ui.openWebResource')")
    assert host["origin"] == "ui" and host["args"][0] == "at_load.html"
    calls = apm_page.evaluate("PyApm.calls().filter((c) => c.frame !== null)")
    assert [c["method"] for c in calls] == ["getFocusedSession", "createTab"]
    assert {c["frame"] for c in calls} == {host["result"]}
    assert calls[1]["result"] == created


def test_locate_and_open_url(tmp_path):
    page = tmp_path / "site" / "my page.html"
    page.parent.mkdir()
    page.write_text("<p>x</p>")
    assert locate(page, None) == (page.parent, "my page.html")
    assert locate(page, tmp_path) == (tmp_path, "site/my page.html")
    assert open_url("http://h:1/", "site/my page.html") == "http://h:1/?open=site/my%20page.html"
    with pytest.raises(ServerSetupError, match="not inside the web resources folder"):
        locate(page, tmp_path / "other")
    with pytest.raises(ServerSetupError, match="no such file"):
        locate(tmp_path / "missing.html", None)


def test_serve_open_page_outside_webresources_is_refused(tmp_path, capsys):
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    other = tmp_path / "wr"
    other.mkdir()
    args = [
        "serve",
        "--port",
        "0",
        "--no-snapshot",
        "--webresources",
        str(other),
        "--open",
        str(page),
    ]
    assert cli.main(args) == 1
    assert "not inside the web resources folder" in capsys.readouterr().err


def test_serve_open_prints_the_workspace_url_with_the_page(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>")
    proc = subprocess.Popen(
        [sys.executable, "-m", "py_apm.host.cli", "serve", "--port", "0", "--no-snapshot",
         "--open", str(page)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "BROWSER": "true"},
    )  # fmt: skip
    try:
        first = proc.stdout.readline().strip()
        second = proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert first.endswith("/?open=p.html") and first.startswith(second)


def test_timeline_html_is_escaped(tmp_path):
    rows = [{"seq": 1, "kind": "call", "frame": "tab-id-1", "session": "s",
             "text": '<img src=x onerror="alert(1)">'}]  # fmt: skip
    html = render_html(rows, "t<x>")
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "t&lt;x&gt;" in html and "frame tab-id-1" in html
    assert artifact_folder(tmp_path, "tests/a.py::test_b[x]") == tmp_path / "tests-a-py-test-b-x"


def test_apm_timeline_option_writes_files(tmp_path):
    src = """
        def test_passes(apm_page):
            apm_page.evaluate("Microsoft.Apm.createTab({templateName: 'msdyn_nothing'})")

        def test_fails(apm_page):
            apm_page.evaluate("Microsoft.Apm.getFocusedSession().title = '<b>x</b>'")
            assert False
    """
    out = tmp_path / "out"
    result = run_inner(tmp_path, src, "--apm-timeline", "retain-on-failure", "--output", str(out))
    assert "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr
    folders = sorted(p.name for p in out.iterdir())
    assert folders == ["test-inner-py-test-fails-chromium"]
    rows = json.loads((out / folders[0] / "apm-timeline.json").read_text("utf-8"))
    assert [r["member"] for r in rows] == ["getFocusedSession", "session.title"]
    html = (out / folders[0] / "apm-timeline.html").read_text("utf-8")
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html

    out_on = tmp_path / "out-on"
    result = run_inner(tmp_path, src, "--apm-timeline", "on", "--output", str(out_on))
    assert sorted(p.name for p in out_on.iterdir()) == [
        "test-inner-py-test-fails-chromium", "test-inner-py-test-passes-chromium",
    ]  # fmt: skip
    rows = json.loads(
        (out_on / "test-inner-py-test-passes-chromium" / "apm-timeline.json").read_text()
    )
    assert [r["code"] for r in rows if r["kind"] == "warning"] == ["APM-W005"]


# --apm-timeline off by default: the inner run of
# test_failure_report.py::test_a_failed_apm_page_test_shows_its_warnings_and_refusals.
