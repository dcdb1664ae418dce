import pytest

from letters import rendering


@pytest.fixture(autouse=True)
def fresh_letters():
    """Each worker keeps the letters it made; a test's database is new, so its are too."""
    for cached in (rendering.send_of, rendering.post_letter, rendering.weekly_letter):
        cached.cache_clear()
    yield
