"""The application form over arbitrary input: always an answer, never an exception."""

import pytest
from django.template.loader import render_to_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.forms import CONTROL_CHARACTERS, ApplicationForm
from members.models import Tier

pytestmark = pytest.mark.django_db
FIELDS = ["full_name", "email", "organisation", "role", "link", "tier", "reason", "heard_from",
          "consent", "website"]  # fmt: skip

awkward = st.one_of(
    st.text(max_size=300),
    st.sampled_from([
        "\x00", "\u202e\u202dreversed", "👩‍👩‍👧 family", "e\u0301\u0301\u0301", "<script>alert(1)</script>",
        "' OR 1=1; --", "Robert'); DROP TABLE members_application;--", "https://" + "a" * 5000,
        "javascript:alert(1)", "a@b", "x" * 3000, "\r\n\r\n", "   ",
    ]),
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(FIELDS), awkward))
def test_any_input_is_validated_without_error_and_shown_back_escaped(data):
    Tier.objects.get_or_create(slug="t", defaults={"name": "T", "rank": 1})  # a real choice
    form = ApplicationForm(data)
    if form.is_valid():
        for name in ["full_name", "organisation", "role", "reason"]:
            assert not CONTROL_CHARACTERS.search(form.cleaned_data[name])
        assert "\x00" not in "".join(str(v) for v in form.cleaned_data.values())
    else:
        assert all(form.errors[name] for name in form.errors)
    html = render_to_string("members/apply.html", {"form": form})
    assert "<script>alert(1)</script>" not in html
