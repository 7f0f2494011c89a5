"""Article pages per second, and their p50 / p99, while the login form is hammered.

    python bench/login_load.py [--duration 10] [--readers 4] [--attackers 8]
    python bench/login_load.py --tree /tmp/naql-old     # the same load against another checkout
    python bench/login_load.py --no-limits              # every guess hashed (attempt limits off)

Loopback only, fixed duration. In a temporary site (50 article pages of ~20 KB, one editor), the
site app (`naql serve`'s: the static site and /editor/) runs under uvicorn in a child process,
importing naql from --tree (default: this checkout), so the old code can be measured beside the
new: `git archive HEAD~1 | tar -x -C /tmp/naql-old`. Then two phases of --duration seconds each:

1. quiet: --readers threads fetch article pages in a loop (keep-alive), nothing else;
2. attack: the same readers, while --attackers threads post wrong passwords to /editor/login
   (each for its own unknown name, so each guess costs a full argon2 hash unless refused).

Prints pages/s, p50 and p99 per phase, and the login answers by status. Every loop stops at the
phase's deadline; the child server is stopped at the end. With --no-limits (ignored by a tree
that has no attempt limits) the limits are raised out of reach, to measure the hashing's effect
alone; by default the per-address limit refuses most guesses with 429 after the first 20.
"""

from __future__ import annotations

import argparse
import collections
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVER = r"""
import inspect, logging, sys, uvicorn
from pathlib import Path
from naql.config import parse_config
from naql.store import Store
from naql.web.app import create_app
from naql.web.users import add_user
logging.getLogger("naql").setLevel(logging.ERROR)  # one line per failed login otherwise
root, port, pages, no_limits = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
config = parse_config(root, {})
store = Store(config.db_url)
add_user(store, "alice", "correct horse battery staple")
articles = config.output_dir / "articles"
articles.mkdir(parents=True, exist_ok=True)
paragraph = "<p>" + "نقلت الوكالة الخبر عن مصادر رسمية في العاصمة. " * 20 + "</p>"
for i in range(pages):
    body = f"<!doctype html><html lang=ar dir=rtl><title>خبر {i}</title>" + paragraph * 10
    (articles / f"{i}.html").write_text(body, encoding="utf-8")
(config.output_dir / "index.html").write_text("<!doctype html><title>front</title>")
kwargs = {}
if no_limits == "1" and "login_limits" in inspect.signature(create_app).parameters:
    from naql.web.throttle import LoginLimits
    kwargs["login_limits"] = LoginLimits(per_account=10**9, per_address=10**9)
app = create_app(config, store=store, **kwargs)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    root: Path, tree: Path, pages: int, no_limits: bool
) -> tuple[subprocess.Popen[bytes], str]:
    """The child process makes the site with its own naql (its own schema), then serves it."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env = {k: v for k, v in env.items() if not k.startswith("NAQL_")}
    args = [sys.executable, "-c", SERVER, str(root), str(port), str(pages), str(int(no_limits))]
    proc = subprocess.Popen(args, env=env, cwd=tree)  # not this folder: its naql would win
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


def read_pages(url: str, pages: int, until: float, latencies: list[float]) -> None:
    i = 0
    with httpx.Client(base_url=url, timeout=30) as client:
        while time.monotonic() < until:
            start = time.perf_counter()
            resp = client.get(f"/articles/{i % pages}.html")
            if resp.status_code == 200:
                latencies.append(time.perf_counter() - start)
            i += 1


def guess(url: str, n: int, until: float, statuses: collections.Counter[int]) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        page = client.get("/editor/login").text
        token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        while time.monotonic() < until:
            data = {"username": f"nobody{n}", "password": "wrong guess", "csrf": token}
            try:
                statuses[client.post("/editor/login", data=data).status_code] += 1
            except httpx.HTTPError:
                statuses[0] += 1


def phase(url: str, args: argparse.Namespace, attack: bool) -> str:
    until = time.monotonic() + args.duration
    latencies: list[float] = []
    statuses: collections.Counter[int] = collections.Counter()
    threads = [
        threading.Thread(target=read_pages, args=(url, args.pages, until, latencies))
        for _ in range(args.readers)
    ]
    if attack:
        threads += [
            threading.Thread(target=guess, args=(url, n, until, statuses))
            for n in range(args.attackers)
        ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if not latencies:
        return "no page served"
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    line = (
        f"{len(latencies) / args.duration:8.1f} pages/s   "
        f"p50 {statistics.median(latencies) * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms"
    )
    if attack:
        line += "   logins: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--tree", type=Path, default=ROOT, help="naql checkout to serve")
    parser.add_argument("--no-limits", action="store_true", help="raise the attempt limits")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp), args.tree.resolve(), args.pages, args.no_limits)
        try:
            print(f"naql from {args.tree}, {args.readers} readers, {args.duration:g} s per phase")
            print(f"quiet:  {phase(url, args, attack=False)}")
            print(f"attack: {phase(url, args, attack=True)}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
