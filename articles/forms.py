"""The post's admin forms: where a pull quote stands, chosen among the body's blocks."""

from django import forms

from . import rendering
from .models import Article, PullQuote

AT_THE_START = "At the start, before the first block"


class PullQuoteForm(forms.ModelForm):
    source_url = forms.URLField(
        label="Source",
        required=False,
        assume_scheme="https",
        help_text="Optional link to the source.",
    )
    after_block = forms.ChoiceField(
        label="Stands after",
        required=False,
        error_messages={
            "invalid_choice": "The block this quote stood after is no longer in the body. "
            "Choose where it stands now."
        },
        help_text="Blocks as the body reads when the page was opened; save to choose "
        "among new ones.",
    )

    class Meta:
        model = PullQuote
        fields = ["text", "attribution", "source_url", "after_block"]

    def __init__(self, *args, article: Article, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Called whenever the choices are read: on a save, the body just typed (the post's
        # form has taken it in by then), so the chosen block is checked against that.
        self.fields["after_block"].choices = lambda: [
            ("", AT_THE_START),
            *rendering.block_choices(article.body),
        ]
        quote = self.instance
        if quote.pk and quote.after_block:
            keys = rendering.parse_body(article.body).keys
            if quote.after_block not in keys:
                stands = min(quote.position, len(keys))
                self.initial["after_block"] = keys[stands - 1] if stands else ""
                self.fields["after_block"].help_text = (
                    "The block this quote stood after is gone from the body. It stands "
                    "where it was for now: choose where it stands and save."
                )

    def save(self, commit: bool = True) -> PullQuote:
        if not self.instance.after_block:
            self.instance.position = 0  # at the start: no count of blocks left to keep
        return super().save(commit)


class PullQuoteFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "article": self.instance}
