"""After the invitation's password, the new member lands on the post whose gate led them
to apply (kept with the application), else on their account page; never elsewhere."""

import re

import pytest
from django.core import mail
from django.test import Client

from articles.models import Article
from members.applications import confirm
from members.approvals import approve_application
from members.models import Application, Submission
from tests.factories import application_answers, make_article, make_tier
from tests.worker import run_due_tasks

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def insider():
    return make_tier(name="Insider", slug="insider")


def apply_from(path_in_link: str, insider, posted: str | None = None) -> Application:
    """Follow a gate's apply link carrying `from`, send the form, confirm it."""
    form = Client().get("/membership/apply/", {"tier": "insider", "from": path_in_link})
    shown = re.search(r'name="started_from" value="([^"]*)"', form.content.decode())
    carried = shown[1] if shown else ""
    data = application_answers(insider, started_from=carried if posted is None else posted)
    Client().post("/membership/apply/", data)
    return confirm(Submission.objects.get()).application


def set_password_after_approval(application, staff_user) -> str:
    approve_application(application, approved_by=staff_user)
    run_due_tasks()
    link = re.search(r"http://127\.0\.0\.1:8000(/membership/welcome/\S+/)", mail.outbox[-1].body)
    client = Client()
    form_page = client.get(link[1], follow=True)
    arrived = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    return arrived["Location"]


def test_the_gate_carries_the_post_to_the_application_and_the_member_lands_on_it(
    insider, staff_user
):
    post = make_article(
        slug="insider-post", visibility=Article.Visibility.TIER, minimum_tier=insider
    )
    gate = Client().get(post.get_absolute_url()).content.decode()
    assert 'href="/membership/apply/?tier=insider&amp;from=/articles/insider-post/"' in gate

    application = apply_from("/articles/insider-post/", insider)

    assert application.started_from == "/articles/insider-post/"
    assert set_password_after_approval(application, staff_user) == "/articles/insider-post/"


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)", "x"],
)
def test_a_link_to_elsewhere_is_never_carried_into_the_form(insider, elsewhere):
    page = Client().get("/membership/apply/", {"from": elsewhere}).content.decode()
    form = page[page.index('<form class="form"') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="started_from" id="id_started_from">' in form
    assert "evil" not in form and "javascript" not in form


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil/"])
def test_a_forged_form_field_is_dropped(insider, elsewhere):
    application = apply_from("/", insider, posted=elsewhere)
    assert application.started_from == ""


def test_a_stored_address_elsewhere_is_checked_again_at_landing(insider, staff_user):
    application = apply_from("/articles/insider-post/", insider)
    Application.objects.filter(pk=application.pk).update(started_from="//evil.example/")

    assert set_password_after_approval(application, staff_user) == "/account/"
