"""`make bench`: the site as production runs it, under wrk, beside its ceilings.

Run by bench/run.sh, which provides DATABASE_URL (a fresh PostgreSQL if none was
given) and REDIS_URL (a fresh redis-server). Prints every figure with its
ceiling and ratio and writes them all to bench/results/.
"""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "60"))
CONNECTIONS = (16, 64)
PAGES = {
    "front page": "/",
    "public post": "/articles/bench-post-1/",
    "members post, visitor": "/articles/bench-post-3/",
    "members post, member": "/articles/bench-post-3/",
    "feed": "/feed/",
    "topic page": "/topics/bench-topic-0/",
    "archive page 200": "/?page=200",
    "search": "/search/?q=quorum7",  # in 1 post in 200: see generate_bench_data
    "search, word in every post": "/search/?q=linux",  # the worst case: every post matches
}
MEMBER_PAGES = {"members post, member"}
VISITOR_POSTS = ["public post", "members post, visitor"]
CACHED_PAGES = ["front page", "public post", "members post, visitor", "feed", "topic page",
                "archive page 200"]  # fmt: skip


# The site as production configures it, on the machine's loopback.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SITE_URL": "http://127.0.0.1",
    "HTTPS": "false",
    "LOG_LEVEL": "WARNING",
}


def main() -> None:
    static_root = Path(tempfile.mkdtemp(prefix="bench-static-"))
    env = {**os.environ, **PRODUCTION, "STATIC_ROOT": str(static_root)}
    redis_url = env.pop("REDIS_URL", "")
    print("== preparing: migrate, generate the archive, collect static files", flush=True)
    manage(env, "migrate", "--no-input", "-v0")
    started = time.monotonic()
    manage(env, "generate_bench_data")
    generate_seconds = time.monotonic() - started
    manage(env, "collectstatic", "--no-input", "-v0")
    facts = measure_in_django(env)
    cookie = f"sessionid={facts['member_session']}"

    results: dict = {"when": datetime.now(UTC).isoformat(), "seconds_per_run": SECONDS}
    results["generate_bench_data_seconds"] = round(generate_seconds, 1)
    results["pages"] = {name: facts["pages"][name] for name in PAGES}
    results["admin_changelists_ms"] = facts["admin_ms"]
    results["css_bytes_gzipped"] = (
        (static_root / "css").glob("site.*.css.gz").__next__().stat().st_size
    )

    print("== ceilings", flush=True)
    ceiling_env = {**env, "CEILING_BYTES": str(facts["pages"]["public post"]["html_bytes"])}
    with gunicorn("bench.ceiling:application", ceiling_env) as (base, _):
        results["ceilings"] = {
            name: {c: wrk(base + path, c) for c in CONNECTIONS}
            for name, path in [("rendering", "/render"), ("serving", "/fixed")]
        }

    print("== the site, no page cache", flush=True)
    with gunicorn("publication.wsgi", {**env, "PAGE_CACHE": "false"}) as (base, pids):
        results["site"] = {}
        for name, path in PAGES.items():
            header = cookie if name in MEMBER_PAGES else None
            wrk(base + path, 16, header, seconds=1)  # first requests load templates and code
            results["site"][name] = {c: wrk(base + path, c, header) for c in CONNECTIONS}
        soak = wrk(base + PAGES["members post, visitor"], 64, seconds=SOAK_SECONDS)
        results["soak_64_connections"] = {"seconds": SOAK_SECONDS, **soak}
        results["worker_rss_mb"] = [rss_mb(pid) for pid in pids()]

    if redis_url:
        print("== the site with the shared cache (Redis), page cache on", flush=True)
        with gunicorn("publication.wsgi", {**env, "REDIS_URL": redis_url}) as (base, pids):
            results["cached"] = {}
            for name in [*CACHED_PAGES, "members post, member"]:
                url = base + PAGES[name]
                header = cookie if name in MEMBER_PAGES else None
                wrk(url, 16, header, seconds=1)  # warm the cache
                results["cached"][name] = {c: wrk(url, c, header) for c in CONNECTIONS}
            results["worker_rss_mb_with_redis"] = [rss_mb(pid) for pid in pids()]

    report(results)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"\nAll figures: {path.relative_to(ROOT)}")


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


MEASURE = """
import json, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from members.models import Membership
PAGES = %r
MEMBER_PAGES = %r
member = Membership.objects.filter(tier__slug="patron").select_related("user").first().user
visitor, reader = Client(), Client()
reader.force_login(member)
pages = {}
for name, path in PAGES.items():
    client = reader if name in MEMBER_PAGES else visitor
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (name, response.status_code)
    pages[name] = {"queries": len(queries), "html_bytes": len(response.content)}
staff, _ = get_user_model().objects.get_or_create(email="bench-staff@bench.example",
    defaults={"is_staff": True, "is_superuser": True})
admin = Client()
admin.force_login(staff)
admin_ms = {}
for path in ["/admin/members/application/", "/admin/members/membership/",
             "/admin/members/application/?status__exact=pending"]:
    start = time.perf_counter()
    assert admin.get(path).status_code == 200
    admin_ms[path] = round((time.perf_counter() - start) * 1000)
session = reader.cookies["sessionid"].value
print(json.dumps({"pages": pages, "admin_ms": admin_ms, "member_session": session}))
"""


def measure_in_django(env: dict) -> dict:
    """Queries and HTML size per page, admin timings, and a member's session for wrk."""
    out = manage(env, "shell", "-c", MEASURE % (PAGES, MEMBER_PAGES))
    return json.loads(out.strip().splitlines()[-1])


class gunicorn:
    """gunicorn with 2 sync workers, as production runs the site."""

    def __init__(self, app: str, env: dict) -> None:
        self.app, self.env = app, env

    def __enter__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [PY, "-m", "gunicorn", self.app, "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(base + ("/fixed" if "ceiling" in self.app else "/healthz"))
                break
            except OSError:
                time.sleep(0.1)
        return base, self.worker_pids

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(url: str, connections: int, cookie: str | None = None, seconds: int = SECONDS) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99_ms": latency_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "errors": errors,
    }


def latency_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 3)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024, 1)


def run_line(name: str, c: int, run: dict, ceiling: dict | None = None) -> str:
    ratio = f" ({run['rps'] / ceiling[c]['rps']:.2f})" if ceiling else ""
    return (
        f"  {name:<26} c={c:<3} {run['rps']:>8.0f}/s{ratio}  p50 {run['p50_ms']:.2f} ms"
        f"  p99 {run['p99_ms']:.2f} ms  errors {run['errors']}"
    )


def report(r: dict) -> None:
    render, serve = r["ceilings"]["rendering"], r["ceilings"]["serving"]
    print("\nCeilings (bare Django, same gunicorn)")
    for name, runs in r["ceilings"].items():
        for c, run in runs.items():
            print(run_line(name, c, run))
    print("\nThe site, no page cache (ratio to the rendering ceiling)")
    for name, runs in r["site"].items():
        for c, run in runs.items():
            print(run_line(name, c, run, render))
    if "cached" in r:
        print("\nWith Redis, page cache on (ratio to the serving ceiling)")
        for name, runs in r["cached"].items():
            for c, run in runs.items():
                print(run_line(name, c, run, serve))

    print("\nSummary, one line per page (targets in brackets)")
    for name, runs in r["site"].items():
        page, cached = r["pages"][name], r.get("cached", {}).get(name)
        served = ""
        if cached and name not in MEMBER_PAGES:
            served = f"; page cache {cached[16]['rps'] / serve[16]['rps']:.2f} of serving"
        print(
            f"  {name}: {runs[16]['rps'] / render[16]['rps']:.2f} of rendering ceiling at 16,"
            f" {page['queries']} queries, {page['html_bytes'] / 1024:.1f} KB{served}"
        )
    # The post page targets are judged on the slower of the two posts a visitor reads.
    post = min((r["site"][name][16] for name in VISITOR_POSTS), key=lambda run: run["rps"])
    slowest_p99 = max(r["site"][name][16]["p99_ms"] for name in VISITOR_POSTS)
    targets = [
        ("post page for a visitor", post["rps"] / render[16]["rps"], "of rendering [>= 0.5]"),
        ("post page p99 at 16", slowest_p99 / render[16]["p99_ms"], "x ceiling p99 [<= 2]"),
    ]
    if "cached" in r:
        cached_post = min(r["cached"][name][16]["rps"] for name in VISITOR_POSTS)
        targets.append(("cached post page", cached_post / serve[16]["rps"], "of serving [>= 0.7]"))
    for label, value, unit in targets:
        print(f"  {label}: {value:.2f} {unit}")
    worst = r["site"]["search, word in every post"]
    print(
        f"  search for a word in every post: p99 {worst[16]['p99_ms']:.0f} ms at 16,"
        f" {worst[64]['p99_ms']:.0f} ms at 64 connections; {worst[16]['errors']} errors"
    )
    soak = r["soak_64_connections"]
    print(f"  {soak['seconds']} s at 64 connections: {soak['errors']} errors [0]")
    print(f"  worker RSS after the runs: {r['worker_rss_mb']} MB [< 80]")
    if "worker_rss_mb_with_redis" in r:
        print(f"  worker RSS after the runs with Redis: {r['worker_rss_mb_with_redis']} MB [< 80]")
    print(f"  post page HTML {r['pages']['public post']['html_bytes'] / 1024:.1f} KB [< 30]")
    print(f"  CSS {r['css_bytes_gzipped'] / 1024:.1f} KB gzipped [< 15]")
    print(f"  admin changelists: {r['admin_changelists_ms']} ms [< 1000]")


if __name__ == "__main__":
    main()
