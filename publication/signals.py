"""A signal for the writes Django sends none for: QuerySet.update(), and bulk_update(),
which calls it. save() and delete() send post_save and post_delete; a model whose rows
pages show uses UpdateSignallingQuerySet, so whatever listens to those hears of every
write, however it is made."""

from django.db import models, transaction
from django.dispatch import Signal

# Sent with sender=the model and pks=the primary keys of the rows updated, inside the
# update's transaction.
rows_updated = Signal()


class UpdateSignallingQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            rows = super().update(**kwargs)
            rows_updated.send(sender=self.model, pks=pks)
        return rows
