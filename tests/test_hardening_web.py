"""Issue 10, the web server's part (defects 2, 6 and 7), over real HTTP (uvicorn in a thread).

- Logins: attempts limited per account and per address (429 + Retry-After, even for the right
  password, and across a restart); logout, a new password and removing an editor end sessions.
- The event loop: while eight wrong-password logins are being hashed, a page of the public site
  is answered before the first of them.
- No request path or body a client can send gets a 5xx (a NUL byte in the path was a 500).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from test_editor import PASSWORD, Server, csrf_of, held

import naql.web.users
from naql.config import Config, parse_config
from naql.store import Store
from naql.web.app import create_app
from naql.web.editor import add_user


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Config, Store]]:
    config = parse_config(tmp_path, {})
    store = Store(config.db_url)
    add_user(store, "alice", PASSWORD)
    config.output_dir.mkdir(parents=True, exist_ok=True)
    (config.output_dir / "index.html").write_text("<!doctype html><title>front</title>")
    (config.output_dir / "404.html").write_text("<!doctype html><title>not here</title>")
    yield config, store
    store.close()


def attempt(client: httpx.Client, password: str, username: str = "alice") -> httpx.Response:
    token = csrf_of(client.get("/editor/login").text)
    return client.post(
        "/editor/login", data={"username": username, "password": password, "csrf": token}
    )


# -- defect 6: login attempts and sessions --------------------------------------------------------


def test_login_attempts_are_limited_per_account_even_for_the_right_password(
    site: tuple[Config, Store],
) -> None:
    config, store = site
    server = Server(create_app(config, store=store))
    try:
        with httpx.Client(base_url=server.url) as client:
            for _ in range(5):
                assert attempt(client, "wrong password").status_code == 401
            refused = attempt(client, "wrong password")
            assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
            assert attempt(client, PASSWORD).status_code == 429  # locked: not even checked
    finally:
        server.stop()
    # The count is in the store: a restarted server still refuses.
    server = Server(create_app(config, store=store))
    try:
        with httpx.Client(base_url=server.url) as client:
            assert attempt(client, PASSWORD).status_code == 429
    finally:
        server.stop()


def test_login_back_off_ends_and_the_address_is_limited_too(site: tuple[Config, Store]) -> None:
    from naql.web.throttle import LoginLimits

    config, store = site
    limits = LoginLimits(per_account=2, per_address=4, base_delay=1.0)
    server = Server(create_app(config, store=store, login_limits=limits))
    try:
        with httpx.Client(base_url=server.url) as client:
            assert [attempt(client, "nope").status_code for _ in range(3)] == [401, 401, 429]
            time.sleep(1.2)  # the first back-off is base_delay
            assert attempt(client, PASSWORD).status_code == 303  # and clears the counts
        with httpx.Client(base_url=server.url) as client:
            # Guessing across accounts from one address: 4 attempts, then refused.
            codes = [attempt(client, "nope", f"user{i}").status_code for i in range(5)]
            assert codes == [401, 401, 401, 401, 429]
    finally:
        server.stop()


def test_logout_ends_the_session_for_the_old_cookie(site: tuple[Config, Store]) -> None:
    config, store = site
    server = Server(create_app(config, store=store))
    try:
        with httpx.Client(base_url=server.url) as client:
            assert attempt(client, PASSWORD).status_code == 303
            cookie = client.cookies["naql_editor"]
            token = csrf_of(client.get("/editor/").text)
            assert client.post("/editor/logout", data={"csrf": token}).status_code == 303
        # Someone who copied the cookie before the logout is not signed in.
        with httpx.Client(base_url=server.url, cookies={"naql_editor": cookie}) as thief:
            assert thief.get("/editor/").status_code == 303
    finally:
        server.stop()


def test_a_new_password_ends_the_editors_sessions(site: tuple[Config, Store]) -> None:
    config, store = site
    server = Server(create_app(config, store=store))
    try:
        with httpx.Client(base_url=server.url) as client:
            assert attempt(client, PASSWORD).status_code == 303
            assert client.get("/editor/").status_code == 200
            add_user(store, "alice", "a new and better password")
            assert client.get("/editor/").status_code == 303
    finally:
        server.stop()


def test_removing_an_editor_ends_their_sessions(site: tuple[Config, Store]) -> None:
    from naql.web.editor import remove_user

    config, store = site
    server = Server(create_app(config, store=store))
    try:
        with httpx.Client(base_url=server.url) as client:
            assert attempt(client, PASSWORD).status_code == 303
            assert client.get("/editor/").status_code == 200
            remove_user(store, "alice")
            assert client.get("/editor/").status_code == 303
    finally:
        server.stop()


# -- defect 2: the event loop ---------------------------------------------------------------------


def test_the_site_answers_while_wrong_passwords_are_hashed(
    site: tuple[Config, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight concurrent wrong-password logins (unknown names: hashed all the same), then a page:
    the page comes back before the first login does, however fast the machine."""
    config, store = site
    monkeypatch.setattr(naql.web.users, "_hasher", PasswordHasher(time_cost=6))
    server = Server(create_app(config, store=store))
    try:
        with httpx.Client(base_url=server.url) as client:
            token = csrf_of(client.get("/editor/login").text)
            cookie = client.cookies["naql_editor"]
        done: list[float] = []
        codes: list[int] = []
        lock = threading.Lock()

        def guess(i: int) -> None:
            with httpx.Client(
                base_url=server.url, cookies={"naql_editor": cookie}, timeout=120
            ) as c:
                resp = c.post(
                    "/editor/login",
                    data={"username": f"nobody{i}", "password": "wrong", "csrf": token},
                )
            with lock:
                done.append(time.monotonic())
                codes.append(resp.status_code)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.3)  # the logins are in, the first hashes under way
        assert not done, "a login finished too fast for this test to mean anything"
        page = httpx.get(server.url + "/", timeout=120)
        page_done = time.monotonic()
        for t in threads:
            t.join(timeout=120)
        assert page.status_code == 200 and "front" in page.text
        assert codes == [401] * 8
        assert page_done < min(done), "the page waited for password hashing"
    finally:
        server.stop()


# -- defect 7: no 5xx, whatever the client sends --------------------------------------------------

NASTY_PATHS = [
    "/%00",
    "/a%00b.html",
    "/articles/%00.html",
    "/editor/%00",
    "/editor/articles/%00",
    "/editor/articles/1%00",
    "/editor/articles/99999999999999999999999",
    "/editor/articles/9223372036854775808",
    "/editor/articles/-1",
    "/editor/articles/0",
    "/editor/articles/1e3",
    "/editor/articles/%ff",
    "/editor/articles/{id}/segments/99999999999999999999999",
    "/editor/articles/{id}/segments/abc",
    "/" + "a" * 5000,
    "/" + "a/" * 2000,
    "/" + "%e2%80%ae" * 300,
    "/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fetc%2fpasswd",
    "/%c0%ae%c0%ae/",
    "/%ff%fe%fd",
    "/\\..\\..\\windows",
    "/editor/static/..%2f..%2fusers.py",
    "/editor/static/%00",
    "/editor/glossary?q=%00",
    "/editor/glossary?q=" + "%ff" * 200,
    "/editor/glossary?q=" + "x" * 6000,
    "/?%00=%00",
    "/editor/login?%00",
    "/editor//articles//1",
    "/editor/articles/{id}/approve",
    "/editor/articles/{id}/reject",
    "/editor/articles/{id}/recheck",
    "/search.html/%00",
    "/pagefind/%00",
]
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def raw_status(port: int, request: bytes) -> int | None:
    """Send bytes as they are (no client normalises them) and read the status code."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return int(m.group(1)) if m else None


def signed_in(client: httpx.Client) -> str:
    assert attempt(client, PASSWORD).status_code == 303
    return csrf_of(client.get("/editor/").text)


def test_no_request_path_gets_a_server_error(site: tuple[Config, Store]) -> None:
    config, store = site
    article_id, _ = held(store, "River levels")
    server = Server(create_app(config, store=store))
    try:
        with httpx.Client(base_url=server.url) as client:
            signed_in(client)
            cookie = client.cookies["naql_editor"]
        failures = []
        for path in NASTY_PATHS:
            path = path.replace("{id}", str(article_id))
            for method in METHODS:
                for headers in ("", f"Cookie: naql_editor={cookie}\r\n"):
                    request = (
                        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
                        "Content-Length: 0\r\nConnection: close\r\n\r\n"
                    ).encode()
                    status = raw_status(server.port, request)
                    if status is None or status >= 500:
                        failures.append((method, path[:60], bool(headers), status))
        # Bytes no URL should hold, raw.
        for path in (b"/\x00", b"/\xff\xfe", b"/a b", b"/\x7f", b"*", b"http://evil/%00"):
            status = raw_status(server.port, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            if status is None or status >= 500:
                failures.append(("GET", path.decode("latin-1"), False, status))
        assert not failures
    finally:
        server.stop()


def test_no_request_body_gets_a_server_error(site: tuple[Config, Store]) -> None:
    config, store = site
    article_id, seg_id = held(store, "River levels")
    server = Server(create_app(config, store=store))
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            token = signed_in(client)
            posts = [
                "/editor/login",
                "/editor/glossary",
                f"/editor/articles/{article_id}/segments/{seg_id}",
                f"/editor/articles/{article_id}/segments/999999",
                f"/editor/articles/{article_id}/recheck",
                f"/editor/articles/{article_id}/reject",
                "/editor/articles/999999/approve",
                "/editor/articles/999999/reject",
                "/editor/articles/999999/recheck",
                "/editor/logout",  # last: a valid token signs out
            ]
            form = "application/x-www-form-urlencoded"
            multipart = "multipart/form-data; boundary=xyz"
            bodies: list[tuple[str, bytes | Iterator[bytes]]] = [
                (form, b""),
                (form, b"csrf=" + token.encode()),
                (form, b"csrf=wrong&translation=x"),
                (form, f"csrf={token}&csrf=x&translation=%00%00&term=%00&arabic=%ff".encode()),
                (form, f"csrf={token}&translation=&term=a&arabic=&kind=nonsense".encode()),
                (form, f"csrf={token}&username=%00&password=%00".encode()),
                (form, f"csrf={token}&".encode() + b"a=1&" * 5000),
                (form, b"%%%%&&&===" * 100),
                (form, b"\x00\xff\xfe" * 100),
                (form, b"x=" + b"a" * (2 * 1024 * 1024)),
                (form, (b"a" * 65536 for _ in range(40))),  # 2.5 MB, chunked: no length
                (multipart, b"--xyz\r\nbroken"),
                (multipart, b"\x00\xff" * 50),
                (
                    multipart,
                    b'--xyz\r\nContent-Disposition: form-data; name="csrf"; filename="a"\r\n\r\n'
                    + token.encode()
                    + b"\r\n--xyz--\r\n",
                ),
                ("multipart/form-data", b"--\r\n"),
                ("application/json", b'{"csrf": "' + token.encode() + b'"}'),
                ("text/plain; charset=nonsense", b"csrf=" + token.encode()),
            ]
            # Approving twice (the second time, the article is published already).
            approve = f"/editor/articles/{article_id}/approve"
            codes = [client.post(approve, data={"csrf": token}).status_code for _ in range(2)]
            assert all(code < 500 for code in codes)
            failures = []
            for path in posts:
                for content_type, body in bodies:
                    if not isinstance(body, bytes):
                        body = iter(list(body))
                    resp = client.post(path, content=body, headers={"content-type": content_type})
                    if resp.status_code >= 500:
                        failures.append((path, content_type, resp.status_code))
            assert not failures
            huge = client.post("/editor/glossary", content=b"x=" + b"a" * (2 * 1024 * 1024))
            assert huge.status_code == 413
    finally:
        server.stop()
