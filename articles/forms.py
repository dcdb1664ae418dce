"""The post's admin forms: pictures the body names, and where a pull quote stands."""

from django import forms
from django.core.exceptions import ValidationError

from . import rendering
from .models import Article, PullQuote

# The admin's inline for the post's pictures sends them under this prefix, beside the post.
PICTURES_PREFIX = "body_pictures"
MAX_PICTURES = 1000  # Django's own bound on a formset's forms


class ArticleForm(forms.ModelForm):
    """A body that shows a picture by its short name needs the post to have that picture."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The admin's date and time boxes have no label of their own: name each.
        for field in self.fields.values():
            if isinstance(field.widget, forms.SplitDateTimeWidget):
                date, time = field.widget.widgets
                date.attrs["aria-label"] = f"{field.label}: date"
                time.attrs["aria-label"] = f"{field.label}: time"

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        names = self.picture_names()
        missing = [n for n in dict.fromkeys(rendering.picture_names(body)) if n not in names]
        if missing:
            raise ValidationError(
                "The body shows %(shown)s, but the post has no picture with that short "
                "name. Add it under “Pictures in the body” below, or correct the name.",
                code="missing_picture",
                params={"shown": ", ".join(f"“picture:{name}”" for name in missing)},
            )
        return body

    def picture_names(self) -> set[str]:
        """The short names the post's pictures will have once this is saved: as the admin's
        inline sends them (but those marked for deletion), else as they are saved."""
        total = self.data.get(f"{PICTURES_PREFIX}-TOTAL_FORMS")
        if total is None:
            saved = self.instance.body_pictures.all() if self.instance.pk else []
            return {picture.name for picture in saved}
        count = min(int(total), MAX_PICTURES) if total.isdigit() else 0
        return {
            self.data.get(f"{PICTURES_PREFIX}-{n}-name", "").strip()
            for n in range(count)
            if not self.data.get(f"{PICTURES_PREFIX}-{n}-DELETE")
        }


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
            keys = [key for key, _ in rendering.block_choices(article.body)]
            if quote.after_block not in keys:
                stands = min(quote.position, len(keys))
                self.initial["after_block"] = keys[stands - 1] if stands else ""
                self.fields["after_block"].help_text = (
                    "The block this quote stood after is gone from the body. It stands "
                    "where it was for now: choose where it stands and save."
                )

    def save(self, commit: bool = True) -> PullQuote:
        self.as_quote()
        return super().save(commit)

    def as_quote(self) -> rendering.Quote:
        """The quote as typed, saved or not."""
        if not self.instance.after_block:
            self.instance.position = 0  # at the start: no count of blocks left to keep
        return self.instance.as_quote()


class PullQuoteFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "article": self.instance}
