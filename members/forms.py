import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import dateformat, timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .addresses import AddressField
from .models import Application, Tier

# NUL has its own message from Django.
CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
MIN_REASON_LENGTH = 20


def no_control_characters(value: str) -> None:
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError("Remove the invisible control characters from this answer.")


def single_line(value: str) -> None:
    no_control_characters(value)
    if "\n" in value or "\r" in value:
        raise ValidationError("Keep this answer on one line.")


def local_path(value: str) -> str:
    """`value` if it is a path on this site (never another host, scheme or a `//` path
    browsers read as a host), else ''."""
    fits = len(value) <= 300 and value.startswith("/") and not value.startswith("//")
    safe = fits and url_has_allowed_host_and_scheme(value, allowed_hosts=set())
    return value if safe and "\\" not in value else ""


def application_field(name: str, **kwargs) -> forms.Field:
    """The model field's form field: its limits and choices come from the model."""
    return Application._meta.get_field(name).formfield(**kwargs)


class ApplicationForm(forms.Form):
    """The Member Waitlist form.

    A plain form rather than a ModelForm: what it makes is a submission waiting for its
    address to be confirmed, whatever the address has already (members/applications.py).
    """

    full_name = application_field(
        "full_name",
        label="Full name",
        validators=[single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Tell us your name."},
    )
    email = AddressField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Tell us the email address to reply to."},
    )
    organisation = application_field(
        "organisation",
        label="Organisation",
        validators=[single_line],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Tell us where you work, or “Independent”."},
    )
    role = application_field(
        "role",
        label="Your role",
        validators=[single_line],
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        error_messages={"required": "Tell us what you do there."},
    )
    link = application_field(
        "link",
        label="LinkedIn or website (optional)",
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url", "placeholder": "https://"}),
        error_messages={"invalid": "Enter a full web address, like https://example.com/you."},
    )
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.public(),
        empty_label=None,
        label="Membership package",
        error_messages={
            "required": "Choose a membership package.",
            "invalid_choice": "Choose one of the membership packages listed.",
        },
    )
    reason = application_field(
        "reason",
        label="Why would you like to join?",
        help_text="A few sentences are plenty: what you hope to read, and what you do.",
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Tell us in a few words why you would like to join."},
    )
    heard_from = forms.ChoiceField(
        label="How did you hear about us?",
        choices=[("", "Choose one"), *Application.HeardFrom.choices],
        error_messages={
            "required": "Tell us how you heard about us.",
            "invalid_choice": "Choose one of the answers listed.",
        },
    )
    consent = forms.BooleanField(
        label="I agree to be contacted by email about my application and membership.",
        error_messages={
            "required": "We need your agreement to contact you about your application."
        },
    )
    # Hidden from people; bots that fill in every field fill in this one too.
    website = forms.CharField(required=False, label="Leave this empty")
    # The post whose gate led here, carried from its link (?from=) to the new member's landing.
    started_from = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_started_from(self) -> str:
        """A path on this site, or nothing: nobody can correct a hidden field, so a bad one
        is dropped rather than refused."""
        return local_path(self.cleaned_data["started_from"])

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"]
        if len(reason) < MIN_REASON_LENGTH:
            raise ValidationError(
                "Tell us a little more: at least %(min)s characters.",
                params={"min": MIN_REASON_LENGTH},
            )
        return reason

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class AnswersChangeForm(ApplicationForm):
    """The applicant's own answers, changed on their page while the application waits.

    The address stays: it is the mailbox the application belongs to."""

    email = None
    consent = None
    website = None
    started_from = None

    def __init__(self, *args, application: Application, **kwargs) -> None:
        initial = {field: getattr(application, field) for field in Application.CHANGEABLE}
        super().__init__(*args, initial=initial, **kwargs)
        # A package staff have since hidden stays a choice for those who asked for it.
        self.fields["tier"].queryset = Tier.objects.filter(
            models.Q(is_public=True) | models.Q(pk=application.tier_id)
        )


class SendLinkForm(forms.Form):
    email = AddressField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Tell us the email address you applied with."},
    )


class MoveForm(forms.Form):
    note = forms.CharField(
        label="Anything our editors should know?",
        help_text="Optional: a line or two on why you would like to move.",
        required=False,
        max_length=2000,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class LeaveForm(forms.Form):
    when = forms.ChoiceField(
        label="When should it end?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when your membership should end."},
    )
    keep_letter = forms.BooleanField(
        label="Keep sending me the free letter afterwards: free posts whole, and the opening "
        "of members' posts.",
        required=False,
    )

    def __init__(self, *args, membership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("now", "Now: members' posts close to me today")]
        if membership.ends_at:
            day = dateformat.format(timezone.localtime(membership.ends_at), "j F Y")
            choices.append(("at_end", f"On {day}, when it ends: I keep reading until then"))
        self.fields["when"].choices = choices
        if len(choices) == 1:
            self.fields["when"].initial = "now"
