"""The command line as a user meets it: help, errors, one-off tools, serve, watch, demo."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from conftest import SHARED, LocalServer, local_test_settings, run_naql
from test_relay_e2e import new_site, rss, serve_articles

COMMANDS = [
    "init",
    "models",
    "models install",
    "models list",
    "sources",
    "sources add",
    "sources list",
    "run",
    "serve",
    "status",
    "translate",
    "extract",
    "demo",
    "publish",
    "check",
    "glossary",
    "glossary import",
    "glossary export",
    "glossary add",
    "glossary list",
    "users",
    "users add",
    "users remove",
    "tags",
    "tags list",
    "tags name",
    "tags alias",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(tmp_path: Path, command: str) -> None:
    out = run_naql(*command.split(), "--help", cwd=tmp_path)
    assert out.stdout.startswith("Usage: naql " + command)


def test_outside_a_site_one_clear_line(tmp_path: Path) -> None:
    for args in (["run"], ["status"], ["sources", "list"], ["models", "list"]):
        proc = run_naql(*args, cwd=tmp_path, check=False)
        assert proc.returncode == 1
        assert proc.stderr.strip().count("\n") == 0, proc.stderr
        assert "not inside a naql site" in proc.stderr and "naql init" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_bad_config_names_key_and_value(tmp_path: Path) -> None:
    run_naql("init", "s", cwd=tmp_path)
    (tmp_path / "s" / "naql.toml").write_text('[fetch]\ntimeout = "soon"\n', encoding="utf-8")
    proc = run_naql("status", cwd=tmp_path / "s", check=False)
    assert (
        proc.returncode == 1 and "fetch.timeout = 'soon' is invalid: expected float" in proc.stderr
    )
    (tmp_path / "s" / "naql.toml").write_text("[fetch]\ntimeuot = 3\n", encoding="utf-8")
    proc = run_naql("status", cwd=tmp_path / "s", check=False)
    assert "unknown setting fetch.timeuot" in proc.stderr
    (tmp_path / "s" / "naql.toml").write_text(
        "[check]\nthresholds = {review_warnigns = 2}\n", encoding="utf-8"
    )
    proc = run_naql("status", cwd=tmp_path / "s", check=False)
    assert proc.returncode == 1 and "unknown check threshold 'review_warnigns'" in proc.stderr
    (tmp_path / "s" / "naql.toml").write_text('[check]\npolicy = "sometimes"\n', encoding="utf-8")
    proc = run_naql("status", cwd=tmp_path / "s", check=False)
    assert "expected one of hold, publish" in proc.stderr


def test_init_refuses_existing_site(tmp_path: Path) -> None:
    run_naql("init", "s", cwd=tmp_path)
    assert (tmp_path / "s" / "naql.db").is_file()
    toml = (tmp_path / "s" / "naql.toml").read_text(encoding="utf-8")
    assert "# allow_private_network = false" in toml and "[translate]" in toml
    proc = run_naql("init", "s", cwd=tmp_path, check=False)
    assert proc.returncode == 1 and "already a naql site" in proc.stderr


def test_extract_json_lines(tmp_path: Path) -> None:
    pages = sorted((SHARED / "extraction-dev" / "html").glob("*.html.gz"))[:2]
    missing = tmp_path / "missing.html"
    out = run_naql(
        "extract", *map(str, pages), str(missing), "--format", "json", cwd=tmp_path, check=False
    )
    assert out.returncode == 1  # one input failed, the others were still extracted
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 3
    for page, item in zip(pages, lines, strict=False):
        assert item["input"] == str(page)
        assert {
            "title",
            "text",
            "paragraphs",
            "author",
            "date",
            "url",
            "image",
            "videos",
            "language",
        } <= set(item)
        assert item["paragraphs"] and item["text"].startswith(item["paragraphs"][0])
    assert lines[2]["input"] == str(missing) and "error" in lines[2]


def test_translate_text_and_html(tmp_path: Path, server: LocalServer, tiny_release: Path) -> None:
    site = new_site(tmp_path, server, tiny_release)
    text = "The talks begin in January. Both sides agreed.\n\nA second paragraph follows here."
    proc = subprocess.run(
        [sys.executable, "-m", "naql", "translate", "-"],
        input=text,
        cwd=site,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    paragraphs = proc.stdout.strip().split("\n\n")
    assert len(paragraphs) == 2
    assert all(any("\u0600" <= c <= "\u06ff" for c in p) for p in paragraphs)
    page = sorted((SHARED / "extraction-dev" / "html").glob("*.html.gz"))[0]
    html_file = tmp_path / "page.html"
    html_file.write_bytes(gzip.decompress(page.read_bytes()))
    out = run_naql("translate", str(html_file), cwd=site)
    assert len(out.stdout.strip().split("\n\n")) >= 2  # title, then paragraphs


def test_translate_without_model_says_how_to_install(tmp_path: Path) -> None:
    run_naql("init", "s", cwd=tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "naql", "translate", "-"],
        input="Hello there.",
        cwd=tmp_path / "s",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and "naql models install opus-mt-en-ar" in proc.stderr


def test_sources_errors_are_recorded_and_backed_off(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    site = new_site(tmp_path, server, tiny_release)
    server.add("/broken.xml", "<html><body>not a feed</body></html>")
    run_naql("sources", "add", server.url + "/gone.xml", "--kind", "feed", cwd=site)
    run_naql("sources", "add", server.url + "/broken.xml", "--kind", "feed", cwd=site)
    out = run_naql("run", cwd=site)
    assert "2 sources checked (2 failed)" in out.stdout
    listing = json.loads(run_naql("sources", "list", "--format", "json", cwd=site).stdout)
    by_url = {s["url"]: s for s in listing}
    assert "HTTP 404" in by_url[server.url + "/gone.xml"]["last_error"]
    assert "not an RSS or Atom feed" in by_url[server.url + "/broken.xml"]["last_error"]
    assert all(s["error_count"] == 1 and s["state"] == "error" for s in listing)
    # Backed off: a second pass right away does not hit them again.
    hits = server.hits("/gone.xml")
    run_naql("run", cwd=site)
    assert server.hits("/gone.xml") == hits
    text = run_naql("sources", "list", cwd=site).stdout
    assert "last error (1x): HTTP 404" in text


def test_hostile_article_is_sanitised(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    body = "".join(
        f"<p>Paragraph {i} of a normal news story about the council meeting and its budget vote.</p>"
        for i in range(6)
    )
    hostile = f"""<!doctype html><html><head><title>Council &lt;script&gt;alert(1)&lt;/script&gt; vote</title>
    <meta property="og:image" content="javascript:alert(1)">
    <script>alert('x')</script></head><body><article><h1>Council <img src=x onerror=alert(1)> vote</h1>
    {body}<p><a href="javascript:alert(1)">click</a> <svg onload="alert(1)"><script>alert(2)</script></svg></p>
    <iframe src="https://evil.example/frame"></iframe><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>
    <div style="background:expression(alert(1))">styled</div></article></body></html>"""
    url = server.add("/evil.html", hostile)
    site = new_site(tmp_path, server, tiny_release)
    run_naql("sources", "add", url, "--kind", "page", cwd=site)
    out = run_naql("run", cwd=site)
    assert "1 published" in out.stdout, out.stdout
    page = next((site / "site" / "articles").glob("*.html")).read_text(encoding="utf-8")
    lowered = page.lower()
    for needle in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "evil.example",
        "expression(",
        "<svg",
    ):
        assert needle not in lowered, needle
    assert (
        'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page
    )  # the real embed, rebuilt


def test_article_in_language_without_model_is_held_then_resumed(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    run_naql("init", "s", cwd=tmp_path)
    site = tmp_path / "s"
    local_test_settings(site)
    urls = serve_articles(
        server,
        [
            sorted(
                p.name.split(".")[0] for p in (SHARED / "extraction-dev" / "html").glob("*.html.gz")
            )[0]
        ],
    )
    run_naql("sources", "add", urls[0], "--kind", "page", cwd=site)
    run_naql("run", cwd=site)  # no model installed yet
    status = json.loads(run_naql("status", "--format", "json", cwd=site).stdout)
    assert status["articles"]["held"] == 1
    assert "no installed model translates en into Arabic" in status["held_articles"][0]["reason"]
    assert "held" in run_naql("status", cwd=site).stdout
    server.add("/m.zip", tiny_release.read_bytes(), content_type="application/zip")
    run_naql("models", "install", server.url + "/m.zip", cwd=site)
    out = run_naql("run", cwd=site)
    assert "1 published" in out.stdout
    assert server.hits(urls[0].replace(server.url, "")) == 1  # not fetched again


def start_naql(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """`naql ARGS` running in the background, its output readable line by line."""
    return subprocess.Popen(
        [sys.executable, "-m", "naql", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _get(url: str) -> tuple[int, Message, bytes]:
    """GET from a loopback test server; headers are case-insensitive."""
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.headers, resp.read()


def _wait_for_line(proc: subprocess.Popen[str], needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if needle in line:
            return line
        if not line and proc.poll() is not None:
            raise AssertionError(f"process ended: {proc.stderr.read() if proc.stderr else ''}")
    raise AssertionError(f"no line with {needle!r}")


def test_demo_builds_and_serves(tmp_path: Path, server: LocalServer, tiny_release: Path) -> None:
    proc = start_naql("demo", "demo", "--model", str(tiny_release), "--port", "0", cwd=tmp_path)
    try:
        line = _wait_for_line(proc, "serving the demo on", timeout=240)
        base = line.split(" on ", 1)[1].split()[0]
        status, headers, body = _get(base + "index.html")
        assert status == 200 and "Content-Security-Policy" in headers
        home = body.decode("utf-8")
        assert '<html lang="ar" dir="rtl">' in home and home.count('href="articles/') == 25
        first = home.split('href="articles/', 1)[1].split('"', 1)[0]
        status, _, page = _get(base + "articles/" + first)
        assert "wikinews.org" in page.decode("utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped" in out


def test_serve_and_watch_stop_cleanly(
    tmp_path: Path, server: LocalServer, tiny_release: Path
) -> None:
    urls = serve_articles(
        server,
        [
            sorted(
                p.name.split(".")[0] for p in (SHARED / "extraction-dev" / "html").glob("*.html.gz")
            )[1]
        ],
    )
    feed = server.add("/feed.xml", rss([(urls[0], "One")]), content_type="application/rss+xml")
    site = new_site(tmp_path, server, tiny_release)
    proc = run_naql("serve", cwd=site, check=False)
    assert proc.returncode == 1 and "nothing published yet" in proc.stderr
    run_naql("sources", "add", feed, cwd=site)
    watch = start_naql("run", "--watch", "--no-progress", cwd=site)
    try:
        deadline = time.monotonic() + 120
        while not (site / "site" / "index.html").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        watch.send_signal(signal.SIGINT)
        _, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err
    assert "1 published" in err and "stopped" in err
    serve = start_naql("serve", "--port", "0", cwd=site)
    try:
        line = _wait_for_line(serve, "serving")
        base = line.split(" on ", 1)[1].split()[0]
        status, headers, body = _get(base + "feed.xml")
        assert status == 200 and headers["Content-Type"].startswith("application/xml")
        assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        serve.send_signal(signal.SIGINT)
        serve.communicate(timeout=30)
    assert serve.returncode == 0
