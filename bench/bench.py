"""`make bench`: the site as production runs it, under wrk, beside its ceilings.

Run by bench/run.sh, which provides DATABASE_URL (a fresh PostgreSQL if none was
given) and REDIS_URL (a fresh redis-server). Prints every figure with its
ceiling and ratio and writes them all to bench/results/. Pages are judged against the
standard ceiling (bench/standard_ceiling.py), the bare one (bench/ceiling.py) printed
beside it as a second line.
"""

import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import nginx  # noqa: E402 (run as a script: the project's folder first)

PY = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
SOAK_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "60"))
CONNECTIONS = (16, 64)
# Every page a reader opens, each measured for a visitor and for a logged-in member.
PAGES = {
    "front page": "/",
    "topic page": "/topics/bench-topic-0/",
    "contributor page": "/contributors/bench-writer-0/",
    "archive page 200": "/?page=200",
    "public post": "/articles/bench-post-1/",
    "members post": "/articles/bench-post-3/",
    "feed": "/feed/",
    "search": "/search/?q=quorum7",  # in 1 post in 200: see generate_bench_data
    "search, word in every post": "/search/?q=linux",  # the worst case: every post matches
    "packages": "/membership/",  # where applicants start
}
MEMBER_PAGES = {"account": "/account/"}
READERS = ("visitor", "member")
# Each page's target, as a share of the standard ceiling at 16 connections (a floor);
# NO_NEW_MACHINERY is what a page should reach without machinery of its own.
TARGET = 0.6
NO_NEW_MACHINERY = 0.8
# Search results are cached (publication/answers.py), so the runs above measure a search
# made again. This one is never made again: each request leaves out a word of its own,
# which no post has, so it finds what "linux" finds and is ranked afresh every time.
NEVER_KEPT_SEARCH = "/search/?q=linux"
FRESH_WORDS = """
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) n = 0 end
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "+-zq" .. id .. "x" .. n)
end
"""
ROUNDS = 5  # each page's turns with the standard ceiling, SECONDS // ROUNDS each
WORST_SEARCH_P99_MS = 100
CACHED_TARGET = 0.5  # the cached post page, as a share of the serving ceiling
NGINX_TARGET = 2  # the same through nginx's cache (deploy/nginx.conf): Python is not asked
RSS_MB = 80
CACHED_PAGES = ["front page", "public post", "members post", "feed", "topic page",
                "archive page 200"]  # fmt: skip
SCALE = int(os.environ.get("SCALE", "1"))
# A second site measured in the same run, each page taking turns with this one and the
# standard ceiling: another checkout of the project on the same schema (a revert, say),
# this one with settings of its own ("DATABASE_PREPARED=false"), or both.
BEFORE_ROOT = Path(os.environ.get("BENCH_BEFORE") or ROOT).resolve()
BEFORE_SETTINGS = dict(
    pair.split("=", 1) for pair in os.environ.get("BENCH_BEFORE_SETTINGS", "").split()
)
HAS_BEFORE = BEFORE_ROOT != ROOT or bool(BEFORE_SETTINGS)


def runs() -> dict[str, tuple[str, str]]:
    """Every run's name, with its page's address and its reader."""
    named = {
        f"{page}, {reader}": (path, reader) for page, path in PAGES.items() for reader in READERS
    }
    named |= {f"{page}, member": (path, "member") for page, path in MEMBER_PAGES.items()}
    return named


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
    manage(env, "generate_bench_data", "--scale", str(SCALE))
    generate_seconds = time.monotonic() - started
    manage(env, "collectstatic", "--no-input", "-v0")
    facts = measure_in_django(env, ROOT)
    before = before_site(env, redis_url) if HAS_BEFORE else None
    # A member's browser sends both cookies the site set: the session, and the CSRF token
    # that the account page's form token is made from (without it, each one makes a new one).
    cookie = f"sessionid={facts['member_session']}; csrftoken={facts['member_csrf']}"

    results: dict = {"when": datetime.now(UTC).isoformat(), "seconds_per_run": SECONDS}
    results["scale"] = SCALE
    results["generate_bench_data_seconds"] = round(generate_seconds, 1)
    results["pages"] = facts["pages"]
    results["admin_changelists_ms"] = facts["admin_ms"]
    results["css_bytes_gzipped"] = (
        (static_root / "css").glob("site.*.css.gz").__next__().stat().st_size
    )

    print("== ceilings", flush=True)
    post_bytes = facts["pages"]["public post, visitor"]["html_bytes"]
    ceiling_env = {**env, "CEILING_BYTES": str(post_bytes), "REDIS_URL": redis_url}
    ceiling_env["CEILING_DATABASE_URL"] = ceiling_database(env["DATABASE_URL"])
    standard_cookie = "sessionid=" + subprocess.run(
        [PY, "bench/standard_ceiling.py", "setup"],
        cwd=ROOT, env=ceiling_env, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    with (
        gunicorn("bench.ceiling:application", ceiling_env) as (bare_base, _),
        gunicorn("bench.standard_ceiling:application", ceiling_env) as (standard_base, _),
    ):
        results["ceilings"] = {
            name: {c: wrk(bare_base + path, c) for c in CONNECTIONS}
            for name, path in [("rendering", "/render"), ("serving", "/fixed")]
        }
        standard = standard_base + "/render"
        results["ceilings"]["standard"] = {c: wrk(standard, c) for c in CONNECTIONS}
        results["ceilings"]["standard, member"] = {
            c: wrk(standard, c, standard_cookie) for c in CONNECTIONS
        }
        ceilings = {"visitor": (standard, None), "member": (standard, standard_cookie)}
        results |= measure_site(env, redis_url, cookie, ceilings, static_root, before)

    if redis_url:
        print("== the site with the shared cache (Redis), page cache on", flush=True)
        with gunicorn("publication.wsgi", {**env, "REDIS_URL": redis_url}) as (base, pids):
            results["cached"] = {}
            for page in CACHED_PAGES:
                url = base + PAGES[page]
                wrk(url, 16, seconds=1)  # warm the cache
                results["cached"][f"{page}, visitor"] = {c: wrk(url, c) for c in CONNECTIONS}
            results["worker_rss_mb_with_redis"] = [rss_mb(pid) for pid in pids()]
            if nginx.binary():
                print("== the same, with nginx in front (deploy/nginx.conf)", flush=True)
                folder = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
                with nginx.Nginx(base, folder) as (front, _):
                    results["through nginx"] = {}
                    for page in ["public post", "members post"]:
                        url = front + PAGES[page]
                        wrk(url, 16, seconds=1)  # warm nginx's cache
                        results["through nginx"][f"{page}, visitor"] = {
                            c: wrk(url, c) for c in CONNECTIONS
                        }
        if before:
            cached_env = {**before["env"], "PAGE_CACHE": "true"}
            with gunicorn("publication.wsgi", cached_env, before["root"]) as (base, pids):
                results["before"]["cached"] = {}
                for page in CACHED_PAGES:
                    url = base + PAGES[page]
                    wrk(url, 16, seconds=1)
                    results["before"]["cached"][f"{page}, visitor"] = {16: wrk(url, 16)}
                results["before"]["worker_rss_mb_with_redis"] = [rss_mb(pid) for pid in pids()]

    judge(results)
    report(results)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"\nAll figures: {path.relative_to(ROOT)}")


def ceiling_database(site_url: str) -> str:
    """A database of the standard ceiling's own, beside the site's, made if missing."""
    import psycopg

    with psycopg.connect(site_url, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = 'ceiling'").fetchone():
            connection.execute("CREATE DATABASE ceiling")
    parts = urlsplit(site_url)
    return urlunsplit(parts._replace(path="/ceiling"))


def before_site(env: dict, redis_url: str) -> dict:
    """The site to compare with: its root, its settings, and a member's cookie of its own.
    It keeps its cache in a Redis database of its own, so neither site reads the other's
    entries."""
    # Measured as this site is, without Redis, so the two sites' queries compare.
    measured_env = {**env, **BEFORE_SETTINGS}
    loaded = manage(measured_env, "shell", "-c", "import publication; print(publication.__file__)",
                    root=BEFORE_ROOT).strip().splitlines()[-1]  # fmt: skip
    if not Path(loaded).is_relative_to(BEFORE_ROOT):
        sys.exit(f"BENCH_BEFORE={BEFORE_ROOT} loads the site from {loaded}")
    facts = measure_in_django(measured_env, BEFORE_ROOT)
    own_redis = urlunsplit(urlsplit(redis_url)._replace(path="/1")) if redis_url else None
    before_env = measured_env | ({"REDIS_URL": own_redis} if own_redis else {})
    commit = subprocess.run(
        [shutil.which("git") or "git", "describe", "--always", "--dirty"],
        cwd=BEFORE_ROOT, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return {
        "root": BEFORE_ROOT,
        "env": before_env,
        "cookie": f"sessionid={facts['member_session']}; csrftoken={facts['member_csrf']}",
        "record": {"commit": commit, "settings": BEFORE_SETTINGS, "pages": facts["pages"]},
    }


def measure_site(
    env: dict, redis_url: str, cookie: str, ceilings: dict, static_root: Path, before: dict | None
) -> dict:
    """Every page for each reader, as production runs the site (sessions in Redis, when
    there is one) less the page cache, which members never get; each page takes turns
    with the standard ceiling as the same kind of reader, and with the site before, if
    there is one."""
    print("== the site, no page cache", flush=True)
    uncached = {**env, "PAGE_CACHE": "false"} | ({"REDIS_URL": redis_url} if redis_url else {})
    results: dict = {"site": {}, "rounds": {}}
    turn = max(1, SECONDS // ROUNDS)
    with contextlib.ExitStack() as stack:
        base, pids = stack.enter_context(gunicorn("publication.wsgi", uncached))
        if before:
            before_env = {**before["env"], "PAGE_CACHE": "false"}
            before_base, before_pids = stack.enter_context(
                gunicorn("publication.wsgi", before_env, before["root"])
            )
            results["before"] = {**before["record"], "site": {}}
        for name, (path, reader) in runs().items():
            header = cookie if reader == "member" else None
            ceiling, ceiling_cookie = ceilings[reader]
            wrk(base + path, 16, header, seconds=1)  # first requests load templates and code
            if before:
                before_header = before["cookie"] if reader == "member" else None
                wrk(before_base + path, 16, before_header, seconds=1)
            # The machine's speed drifts by a fifth within a minute, so the page and the
            # standard ceiling take turns, and each round gives a ratio.
            rounds = []
            for _ in range(ROUNDS):
                turns = {"page": wrk(base + path, 16, header, seconds=turn)}
                if before:
                    turns["before"] = wrk(before_base + path, 16, before_header, seconds=turn)
                turns["ceiling"] = wrk(ceiling, 16, ceiling_cookie, seconds=turn)
                rounds.append(turns)
            results["rounds"][name] = rounds
            results["site"][name] = {16: pooled(rounds), 64: wrk(base + path, 64, header)}
            if before:
                results["before"]["site"][name] = {16: pooled(rounds, "before")}
        if before:
            results["before"]["worker_rss_mb"] = [rss_mb(pid) for pid in before_pids()]
        script = static_root / "fresh_words.lua"
        script.write_text(FRESH_WORDS)
        results["never_kept_search"] = {
            reader: wrk(base + NEVER_KEPT_SEARCH, 16, cookie if reader == "member" else None,
                        script=script)
            for reader in READERS
        }  # fmt: skip
        soak = wrk(base + PAGES["members post"], 64, seconds=SOAK_SECONDS)
        results["soak_64_connections"] = {"seconds": SOAK_SECONDS, **soak}
        results["worker_rss_mb"] = [rss_mb(pid) for pid in pids()]
    return results


def manage(env: dict, *args: str, root: Path = ROOT) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout


MEASURE = """
import json, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from members.models import Membership
RUNS = %r
member = Membership.objects.filter(tier__slug="patron").select_related("user").first().user
clients = {"visitor": Client(), "member": Client()}
clients["member"].force_login(member)
pages = {}
for name, (path, reader) in RUNS.items():
    client = clients[reader]
    client.get(path)  # the queries of a page served again, its cached parts kept
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
session = clients["member"].cookies["sessionid"].value
csrf = clients["member"].cookies["csrftoken"].value
print(json.dumps({"pages": pages, "admin_ms": admin_ms, "member_session": session,
                  "member_csrf": csrf}))
"""


def measure_in_django(env: dict, root: Path) -> dict:
    """Queries and HTML size per page, admin timings, and a member's cookies for wrk."""
    out = manage(env, "shell", "-c", MEASURE % (runs(),), root=root)
    return json.loads(out.strip().splitlines()[-1])


class gunicorn:
    """gunicorn with 2 sync workers, as production runs the site."""

    def __init__(self, app: str, env: dict, root: Path = ROOT) -> None:
        self.app, self.env, self.root = app, env, root

    def __enter__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [PY, "-m", "gunicorn", self.app, "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "--timeout", "60", "--log-level", "warning"],
            cwd=self.root, env=self.env,
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


def wrk(
    url: str, connections: int, cookie: str | None = None, seconds: int = SECONDS, script=None
) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", str(script)]
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


def pooled(rounds: list[dict], site: str = "page") -> dict:
    """A page's rounds as one run: its mean rate, median p50, and worst round's p99."""
    pages = [turn[site] for turn in rounds]
    return {
        "rps": statistics.mean(page["rps"] for page in pages),
        "p50_ms": statistics.median(page["p50_ms"] for page in pages),
        "p99_ms": max(page["p99_ms"] for page in pages),
        "errors": sum(page["errors"] for page in pages),
    }


def ratios(rounds: list[dict], key: str, site: str = "page", to: str = "ceiling") -> list[float]:
    """Each round's page figure over the standard ceiling's (or another site's) in the same
    round, sorted."""
    return sorted(turn[site][key] / turn[to][key] for turn in rounds)


def judge(r: dict) -> None:
    """Each page's ratios into the results: the median round's to the standard ceiling
    (its target), the lowest round's, and its mean rate's to the bare rendering ceiling."""
    bare = r["ceilings"]["rendering"][16]["rps"]
    r["ratios"] = {}
    for name, runs_ in r["site"].items():
        rates, p99s = ratios(r["rounds"][name], "rps"), ratios(r["rounds"][name], "p99_ms")
        r["ratios"][name] = {
            "standard": round(statistics.median(rates), 3),
            "standard_lowest": round(rates[0], 3),
            "p99_to_standard": round(statistics.median(p99s), 3),
            "p99_to_standard_worst": round(p99s[-1], 3),
            "bare": round(runs_[16]["rps"] / bare, 3),
        }
        if "before" in r:
            r["ratios"][name] |= {
                "before_standard": round(
                    statistics.median(ratios(r["rounds"][name], "rps", "before")), 3
                ),
                "to_before": round(
                    statistics.median(ratios(r["rounds"][name], "rps", to="before")), 3
                ),
            }


def report(r: dict) -> None:
    render, serve = r["ceilings"]["rendering"], r["ceilings"]["serving"]
    print(f"\nScale {r['scale']}: generate_bench_data took {r['generate_bench_data_seconds']} s")
    print("\nCeilings (bare: rendering and serving; standard: for a visitor and a member)")
    for name, runs_ in r["ceilings"].items():
        for c, run in runs_.items():
            print(run_line(name, c, run))
    ceilings = [turn["ceiling"]["rps"] for rounds in r["rounds"].values() for turn in rounds]
    print(
        f"\nThe site, no page cache: at 16 connections, {ROUNDS} rounds taking turns with the"
        f" standard ceiling ({min(ceilings):.0f} to {max(ceilings):.0f}/s in this run), the"
        " page's mean rate, median p50 and worst p99; at 64, ratio to the bare ceiling above"
    )
    for name, runs_ in r["site"].items():
        print(run_line(name, 16, runs_[16]))
        print(run_line(name, 64, runs_[64], render))
    if "cached" in r:
        print("\nWith Redis, page cache on (ratio to the serving ceiling)")
        for name, runs_ in r["cached"].items():
            for c, run in runs_.items():
                print(run_line(name, c, run, serve))
    if "through nginx" in r:
        print(
            "\nThe same site with nginx's cache in front, same run (ratio to the serving ceiling)"
        )
        for name, runs_ in r["through nginx"].items():
            for c, run in runs_.items():
                print(run_line(name, c, run, serve))

    print(
        "\nSummary: each page for a visitor and a member, no page cache: the median of its"
        " rounds' ratios to the standard ceiling, the lowest, and its mean rate's ratio to"
        " the bare rendering ceiling (targets in brackets)"
    )
    missed, below = [], []
    for name, runs_ in r["site"].items():
        page = name.rsplit(", ", 1)[0]
        ratio = r["ratios"][name]
        if ratio["standard"] < TARGET or ratio["p99_to_standard"] > 2:
            missed.append(name)
        elif ratio["standard"] < NO_NEW_MACHINERY:
            below.append(name)
        queries = r["pages"][name]["queries"]
        extra = ""
        if name.endswith(", member") and (seen := r["pages"].get(f"{page}, visitor")):
            extra = f" ({queries - seen['queries']:+d} on a visitor's) [<= +2]"
        print(
            f"  {name}: {ratio['standard']:.2f} of standard [>= {TARGET}]"
            f" (lowest {ratio['standard_lowest']:.2f}), {ratio['bare']:.2f} of bare,"
            f" p99 {ratio['p99_to_standard']:.1f}x the ceiling's [<= 2]"
            f" (worst {ratio['p99_to_standard_worst']:.1f}x), {queries} queries{extra},"
            f" {r['pages'][name]['html_bytes'] / 1024:.1f} KB, errors at 64: {runs_[64]['errors']}"
        )
    for reader in READERS:
        worst = r["site"][f"search, word in every post, {reader}"][16]["p99_ms"]
        if worst > WORST_SEARCH_P99_MS:
            missed.append(f"search p99, {reader}")
        print(
            f"  search for a word in every post, {reader}: p99 {worst:.0f} ms at 16 connections"
            f" [<= {WORST_SEARCH_P99_MS}]"
        )
    for reader, run in r.get("never_kept_search", {}).items():
        print(
            f"  search for a word in every post, never made before, {reader}: {run['rps']:.0f}/s,"
            f" p99 {run['p99_ms']:.0f} ms (no target: the runs above are searches made again)"
        )
    if "cached" in r:
        cached_post = min(
            r["cached"][f"{p}, visitor"][16]["rps"] for p in ["public post", "members post"]
        )
        cached_ratio = cached_post / serve[16]["rps"]
        if cached_ratio < CACHED_TARGET:
            missed.append("page cache")
        print(f"  cached post page: {cached_ratio:.2f} of serving [>= {CACHED_TARGET}]")
    if "through nginx" in r:
        through = min(
            r["through nginx"][f"{p}, visitor"][16]["rps"] for p in ["public post", "members post"]
        )
        if through / serve[16]["rps"] < NGINX_TARGET:
            missed.append("nginx's cache")
        print(
            f"  cached post page through nginx: {through / serve[16]['rps']:.2f} of serving"
            f" [>= {NGINX_TARGET}], {through / cached_post:.1f} times the Redis page cache's"
        )
    elif nginx.binary() is None:
        missed.append("nginx's cache (no nginx here: apt-get install nginx)")
    soak = r["soak_64_connections"]
    errors = soak["errors"] + sum(runs_[64]["errors"] for runs_ in r["site"].values())
    if errors:
        missed.append("errors at 64 connections")
    print(f"  {soak['seconds']} s at 64 connections: {soak['errors']} errors [0]")
    rss = r["worker_rss_mb"] + r.get("worker_rss_mb_with_redis", [])
    if max(rss) > RSS_MB:
        missed.append("worker RSS")
    print(f"  worker RSS after the runs: {r['worker_rss_mb']} MB [<= {RSS_MB}]")
    if "worker_rss_mb_with_redis" in r:
        print(f"  worker RSS with the page cache: {r['worker_rss_mb_with_redis']} MB [<= {RSS_MB}]")
    print(
        f"  post page HTML {r['pages']['public post, visitor']['html_bytes'] / 1024:.1f} KB [< 30]"
    )
    print(f"  CSS {r['css_bytes_gzipped'] / 1024:.1f} KB gzipped [< 15]")
    print(f"  admin changelists: {r['admin_changelists_ms']} ms [< 1000]")
    print(f"  pages under {NO_NEW_MACHINERY} of standard: {', '.join(below) or 'none'}")
    print(f"  targets missed: {', '.join(missed) or 'none'}")
    if "before" in r:
        report_before(r)


def report_before(r: dict) -> None:
    before = r["before"]
    print(
        f"\nBefore ({' '.join([before['commit'], *map('='.join, before['settings'].items())])})"
        " and after, in the same"
        " rounds: each page's median-round ratio to the standard ceiling, before -> after,"
        " the median round's after/before, and queries before -> after"
    )
    for name, ratio in r["ratios"].items():
        queries = (before["pages"][name]["queries"], r["pages"][name]["queries"])
        print(
            f"  {name}: {ratio['before_standard']:.2f} -> {ratio['standard']:.2f}"
            f" ({ratio['to_before']:.2f}x), queries {queries[0]} -> {queries[1]}"
        )
    serve = r["ceilings"]["serving"][16]["rps"]
    for name, runs_ in before.get("cached", {}).items():
        after = r["cached"][name][16]["rps"]
        print(f"  cached {name}: {runs_[16]['rps'] / serve:.2f} -> {after / serve:.2f} of serving")
    print(f"  worker RSS: {before['worker_rss_mb']} -> {r['worker_rss_mb']} MB")
    if "worker_rss_mb_with_redis" in before:
        print(
            f"  worker RSS with the page cache: {before['worker_rss_mb_with_redis']}"
            f" -> {r['worker_rss_mb_with_redis']} MB"
        )


if __name__ == "__main__":
    main()
