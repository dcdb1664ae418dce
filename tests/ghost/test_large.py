"""An export large enough to be prepared in other processes and written in bulk."""

import io
import json

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from articles.models import RENDERED_FIELDS, Article, PullQuote
from bench.ghost_export import export
from ghost import prepare
from ghost.models import Imported

pytestmark = pytest.mark.django_db
POSTS = prepare.IN_PARALLEL_FROM + 10


def test_a_large_export_is_stored_as_saving_each_post_would_store_it(tmp_path, monkeypatch):
    monkeypatch.setattr(prepare, "BATCH", 64)  # several batches, each prepared ahead
    path = tmp_path / "large.json"
    path.write_text(json.dumps(export(POSTS)))
    out = io.StringIO()
    call_command("import_ghost", str(path), stdout=out)
    assert f"posts: {POSTS} created" in out.getvalue()
    assert Imported.objects.filter(kind="post").count() == POSTS
    assert PullQuote.objects.count() == len(range(0, POSTS, 5))  # every fifth post has one
    shown = [field for field in RENDERED_FIELDS if field != "updated_at"]
    for post in Article.objects.filter(slug__in=["post-0", "post-7", "post-200"]):
        assert post.bylines.count() == 1 and post.topics.count() == 1
        stored = {field: getattr(post, field) for field in shown}
        post.save()
        post.refresh_from_db()
        assert stored == {field: getattr(post, field) for field in shown}
    # No save drew their share cards: the worker is asked to, for every post.
    queued = DBTaskResult.objects.filter(task_path="articles.tasks.draw_share_pictures")
    drawn = [pk for task in queued for pk in task.args_kwargs["args"][0]]
    assert sorted(drawn) == sorted(Article.objects.values_list("pk", flat=True))
