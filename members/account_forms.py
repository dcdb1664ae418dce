"""allauth's forms whose email fields clean to the canonical address (members.addresses).

So logging in, asking for a login code or a password reset, and adding an address all
find the one account a mailbox has, however the address is written.
"""

from allauth.account import forms

from .addresses import AddressField


class CanonicalAddresses:
    address_fields = ("email",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.address_fields:
            given = self.fields[name]
            self.fields[name] = AddressField(
                label=given.label,
                widget=given.widget,
                required=given.required,
                help_text=given.help_text,
            )


class LoginForm(CanonicalAddresses, forms.LoginForm):
    address_fields = ("login",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:  # in the site's voice, not "Remember Me:"
            self.fields["remember"].label = "Keep me logged in on this device."


class RequestLoginCodeForm(CanonicalAddresses, forms.RequestLoginCodeForm):
    pass


class ResetPasswordForm(CanonicalAddresses, forms.ResetPasswordForm):
    pass


class AddEmailForm(CanonicalAddresses, forms.AddEmailForm):
    pass


class ChangeEmailForm(CanonicalAddresses, forms.ChangeEmailForm):
    pass
