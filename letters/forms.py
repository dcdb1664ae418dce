from django import forms

from members.addresses import AddressField


class SubscribeForm(forms.Form):
    email = AddressField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Tell us the email address to send the letter to."},
    )
    # Hidden from people; bots that fill in every field fill in this one too.
    website = forms.CharField(required=False, label="Leave this empty")

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
