"""The email section of `make bench`: invitations through the queue to a local mail server.

10,000 invitation emails (BENCH_EMAILS), each rendered for its recipient, are queued
and then delivered by two workers (`manage.py db_worker`) to an aiosmtpd sink that
accepts everything, on the PostgreSQL that bench/run.sh gives; then a members-only
post is sent from the admin to 100,000 readers (BENCH_LETTER_READERS: the members and
enough free subscribers), each getting what the gate gives them. Beside them, the
ceiling for one process: Django's plain `send_mail` in a loop to the same sink. Also
timed: the admin approving 500 applications at once, which only queues.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench import PRODUCTION  # noqa: E402 - run as a script, from any folder

PY = sys.executable
EMAILS = int(os.environ.get("BENCH_EMAILS", "10000"))
LETTER_READERS = int(os.environ.get("BENCH_LETTER_READERS", "100000"))
WORKERS = 2
CEILING_EMAILS = 2000
APPROVALS = 500
DOMAIN = "mail.bench.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main() -> None:
    port = free_port()
    env = {
        **PRODUCTION,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "STATIC_ROOT": tempfile.mkdtemp(prefix="bench-static-"),  # WhiteNoise looks for it
    }
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publication.settings")
    import django

    django.setup()
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, check=True)

    print("== email: invitations through the queue to a local mail server", flush=True)
    sink = subprocess.Popen(
        [PY, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    )
    try:
        wait_for_port(port)
        results = measure()
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    report(results)


def wait_for_port(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the mail sink did not start")


def measure() -> dict:
    from django.core.mail import send_mail
    from django_tasks_db.models import DBTaskResult

    from members import emails
    from outbox.models import Email

    applications = approved_applications(EMAILS)
    DBTaskResult.objects.all().delete()
    Email.objects.all().delete()

    first = applications[0]
    sample = emails.render_invitation(emails.invitations([first])[0])
    Email.objects.all().delete()
    DBTaskResult.objects.all().delete()
    started = time.perf_counter()
    for n in range(CEILING_EMAILS):
        send_mail("Welcome", sample.text, None, [f"ceiling{n}@{DOMAIN}"])
    ceiling = CEILING_EMAILS / (time.perf_counter() - started)

    queued_at = time.perf_counter()
    emails.invitations(applications)
    queued = time.perf_counter() - queued_at

    seconds, rss = run_workers_until(
        lambda: Email.objects.filter(state=Email.State.SENT).count() >= EMAILS
    )
    delivered = time.perf_counter()
    started = delivered - seconds
    failed = Email.objects.exclude(state=Email.State.SENT).count()
    return {
        "emails": EMAILS,
        "queued_seconds": round(queued, 1),
        "delivery_seconds": round(delivered - started, 1),
        "queue_to_last_delivery_seconds": round(delivered - queued_at, 1),
        "emails_per_second": round(EMAILS / (delivered - started)),
        "send_mail_loop_per_second": round(ceiling),
        "worker_rss_mb": rss,
        "not_sent": failed,
        "approve_500_ms": approve_in_admin(APPROVALS),
        **measure_letter(),
    }


def run_workers_until(done, *, timeout: float = 1800) -> tuple[float, list[float]]:
    """Seconds two workers take until done() holds, and each one's highest RSS."""
    workers = [
        subprocess.Popen(
            [PY, "manage.py", "db_worker", "--no-reload", "-v0", "--interval", "0.1"],
            cwd=ROOT,
            env=os.environ,
        )
        for _ in range(WORKERS)
    ]
    started = time.perf_counter()
    rss = {worker.pid: 0.0 for worker in workers}
    try:
        while not done():
            if any(worker.poll() is not None for worker in workers):
                raise RuntimeError("a worker stopped")
            if time.perf_counter() - started > timeout:
                raise RuntimeError("the workers took too long")
            for worker in workers:
                rss[worker.pid] = max(rss[worker.pid], rss_mb(worker.pid))
            time.sleep(0.25)
        return time.perf_counter() - started, list(rss.values())
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)


def measure_letter() -> dict:
    """A members-only post sent from the admin to the members and the free list, by the
    two workers: members get it whole, subscribers its preview."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from articles.models import Article
    from letters.models import Delivery, Send

    members, subscribers = readers_up_to(LETTER_READERS)
    DBTaskResult.objects.all().delete()
    post = Article.objects.published().exclude(visibility="public").first()
    staff = get_user_model().objects.get(email=f"staff@{DOMAIN}")
    client = Client()
    client.force_login(staff)
    started = time.perf_counter()
    response = client.post(
        f"/admin/articles/article/{post.pk}/send/",
        {"audience": "free", "preview_as": "included", "send": "1", "again": "on"},
    )
    answered = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(f"the send page answered {response.status_code}")
    send = Send.objects.latest("created_at")

    def all_sent() -> bool:
        send.refresh_from_db()
        unsent = Delivery.objects.filter(send=send, state=Delivery.State.QUEUED)
        return send.prepared_at is not None and not unsent.exists()

    seconds, rss = run_workers_until(all_sent)
    deliveries = Delivery.objects.filter(send=send)
    return {
        "letter_members": members,
        "letter_subscribers": subscribers,
        "letter_send_answer_ms": round(answered * 1000),
        "letter_emails": deliveries.count(),
        "letter_seconds": round(seconds, 1),
        "letter_per_second": round(deliveries.count() / seconds),
        "letter_worker_rss_mb": rss,
        "letter_not_sent": deliveries.exclude(state=Delivery.State.SENT).count(),
    }


def readers_up_to(total: int) -> tuple[int, int]:
    """Free subscribers beside the current members, to `total` readers of the letter."""
    from django.utils import timezone

    from members.models import Membership, User

    members = Membership.objects.current().filter(user__receives_letter=True).count()
    User.objects.filter(email__startswith="subscriber", email__endswith="@" + DOMAIN).delete()
    now = timezone.now()
    subscribers = User.objects.bulk_create(
        (
            User(email=f"subscriber{n}@{DOMAIN}", password="!", subscribed_at=now)  # noqa: S106
            for n in range(max(total - members, 0))
        ),
        batch_size=5000,
    )
    return members, len(subscribers)


def approved_applications(count: int) -> list:
    from django.core.management import call_command
    from django.utils import timezone

    from members.models import Application, Membership, Tier, User

    User.objects.filter(email__endswith="@" + DOMAIN).delete()
    Application.objects.filter(email__endswith="@" + DOMAIN).delete()
    if not Tier.objects.exists():  # run on its own, without the pages' archive
        call_command("load_demo", verbosity=0)
    tier = Tier.objects.order_by("order").first()
    users = User.objects.bulk_create(
        (User(email=f"invited{n}@{DOMAIN}", password="!") for n in range(count)),  # noqa: S106
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        (Membership(user=user, tier=tier, started_at=timezone.now()) for user in users),
        batch_size=5000,
    )
    return Application.objects.bulk_create(
        (
            Application(
                full_name=f"Invited {n}",
                email=user.email,
                organisation="Bench",
                role="Reader",
                tier=tier,
                reason="Twenty characters or more of reasons.",
                consent=True,
                status=Application.Status.APPROVED,
                user=user,
            )
            for n, user in enumerate(users)
        ),
        batch_size=5000,
    )


def approve_in_admin(count: int) -> int:
    """Milliseconds for the admin to answer "approve" on `count` pending applications."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from members.models import Application, Tier

    tier = Tier.objects.order_by("order").first()
    pending = Application.objects.bulk_create(
        Application(
            full_name=f"Pending {n}",
            email=f"pending{n}@{DOMAIN}",
            organisation="Bench",
            role="Reader",
            tier=tier,
            reason="Twenty characters or more of reasons.",
            consent=True,
        )
        for n in range(count)
    )
    staff, _ = get_user_model().objects.get_or_create(
        email=f"staff@{DOMAIN}", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(staff)
    data = {"action": "approve", "confirm": "yes", "_selected_action": [a.pk for a in pending]}
    started = time.perf_counter()
    response = client.post("/admin/members/application/", data)
    took = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(f"the approve action answered {response.status_code}")
    return round(took * 1000)


def report(r: dict) -> None:
    ratio = r["emails_per_second"] / r["send_mail_loop_per_second"]
    print(f"\nEmail ({r['emails']} invitations, {WORKERS} workers, PostgreSQL, aiosmtpd sink)")
    print(f"  delivered: {r['emails_per_second']} emails/s [>= 300]")
    print(
        f"  Django's send_mail in a loop, one process: {r['send_mail_loop_per_second']} emails/s"
        f" (the queue's {WORKERS} workers: {ratio:.2f} x that)"
    )
    print(
        f"  queueing took {r['queued_seconds']} s; from the first queued to the last delivered"
        f" {r['queue_to_last_delivery_seconds']} s (delivery {r['delivery_seconds']} s)"
    )
    print(f"  worker RSS, highest: {r['worker_rss_mb']} MB [< 100 each]")
    print(f"  not sent: {r['not_sent']} [0]")
    print(f"  admin approving {APPROVALS} applications: {r['approve_500_ms']} ms [< 1000]")
    letter_ratio = r["letter_per_second"] / r["send_mail_loop_per_second"]
    print(
        f"\nThe letter ({r['letter_emails']} readers: {r['letter_members']} members,"
        f" {r['letter_subscribers']} free subscribers; {WORKERS} workers)"
    )
    print(f"  the admin's Send answered in {r['letter_send_answer_ms']} ms")
    print(
        f"  delivered: {r['letter_per_second']} emails/s [>= 300]"
        f" ({letter_ratio:.2f} x the send_mail loop [>= 0.8]), in {r['letter_seconds']} s"
    )
    print(f"  worker RSS, highest: {r['letter_worker_rss_mb']} MB [< 120 each]")
    print(f"  not sent: {r['letter_not_sent']} [0]")


if __name__ == "__main__":
    main()
