"""nginx in front of a running site, configured by deploy/nginx.conf: for the bench and
the tests (tests/publication/test_nginx.py). Its ports, upstream and folders are this run's."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMP_KINDS = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]


def binary() -> str | None:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if os.path.exists(found) else None


class Nginx:
    """`with Nginx(upstream, folder) as (base, cache):` nginx serving on base, keeping
    its pages in the cache folder."""

    def __init__(self, upstream: str, folder: Path) -> None:
        self.upstream, self.folder = upstream.removeprefix("http://"), folder

    def __enter__(self) -> tuple[str, Path]:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cache, temp = self.folder / "nginx-cache", self.folder / "nginx-temp"
        temp.mkdir(parents=True, exist_ok=True)
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
        site = site.replace("/var/cache/nginx/publication", str(cache))
        site = site.replace("server 127.0.0.1:8000;", f"server {self.upstream};")
        (self.folder / "publication.conf").write_text(site)
        temps = "".join(f"{kind}_temp_path {temp}/{kind};\n" for kind in TEMP_KINDS)
        main = self.folder / "nginx.conf"
        main.write_text(
            f"daemon off; worker_processes 2; pid {self.folder}/nginx.pid;\n"
            + ("user root;\n" if os.geteuid() == 0 else "")
            + f"error_log {self.folder}/nginx-error.log;\nevents {{}}\n"
            + f"http {{ access_log off;\n{temps}include {self.folder}/publication.conf; }}\n"
        )
        self.process = subprocess.Popen([binary(), "-c", str(main), "-p", str(self.folder)])
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        return f"http://127.0.0.1:{port}", cache

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
