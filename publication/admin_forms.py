from django import forms


class OrderBoxesForm(forms.ModelForm):
    """A changelist's editable `order` boxes (list_editable), each named for screen readers
    by its row ("Order of Patron"): the admin gives them none."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].widget.attrs["aria-label"] = f"Order of {self.instance}"
