from django.db import models

from members.models import User


class Imported(models.Model):
    """A row this site made from a Ghost export, by Ghost's id: a second run finds it
    again instead of making another, and `written` tells whether staff changed it since."""

    kind = models.CharField(max_length=20)  # post, page, tag, author, tier, member
    ghost_id = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField()
    # A digest of the fields the import wrote: differing from the row now means an edit here.
    written = models.CharField(max_length=64)
    # Matched to a row made here (a package, topic or contributor of the same name or
    # address), not made by the import: no later run changes it unless --overwrite names it.
    matched = models.BooleanField(default=False)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "ghost_id"], name="imported_once_per_ghost_id")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ghost_id} → {self.object_id}"


class ImportedMember(User):
    """The accounts made from Ghost's members export, for staff to welcome."""

    class Meta:
        proxy = True
        verbose_name = "imported member"
