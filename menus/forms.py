from django import forms
from django.core.exceptions import ValidationError

from publication.admin_forms import OrderBoxesForm

from .models import MenuLink


class MenuLinkForm(forms.ModelForm):
    url = forms.URLField(
        label="Outside address",
        required=False,
        assume_scheme="https",
        help_text=MenuLink._meta.get_field("url").help_text,
    )

    class Meta:
        model = MenuLink
        fields = ["menu", "order", "label", *MenuLink.TARGETS]

    def clean(self) -> dict:
        cleaned = super().clean()
        chosen = [name for name in MenuLink.TARGETS if cleaned.get(name)]
        refused = [name for name in MenuLink.TARGETS if name in self.errors]
        if len(chosen) != 1 and not refused:  # a place refused says why on its own
            raise ValidationError(
                "Choose one place for the link to go: a page of the site, a page staff "
                "wrote, a topic, a contributor or an outside address.",
                code="one_place",
            )
        return cleaned


class MenuLinkOrderForm(OrderBoxesForm):
    class Meta:
        model = MenuLink
        fields = ["order"]
