import pytest
from django.core.cache import caches
from django.test import Client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes its uploads to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing strength is Django's concern; tests need only a working hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_caches():
    """Rate-limit counters and cached fragments do not carry over from one test to the next."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "editor@example.com", "a-long-password-for-staff", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def reader_client(django_user_model) -> Client:
    """A logged-in reader who is neither staff nor a member."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("reader@example.com", "a-long-pw"))
    return client


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last: Playwright keeps an event loop in the main thread from then on,
    and Django refuses plain ORM calls beside a running loop."""
    items.sort(key=lambda item: item.nodeid.startswith("tests/e2e/"))
