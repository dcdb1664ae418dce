from django.core.management.base import BaseCommand

from members.applications import purge_unconfirmed


class Command(BaseCommand):
    help = (
        "Delete waitlist submissions whose confirmation link has expired (CONFIRMATION_MAX_AGE). "
        "Each new submission does this too; run it daily so a quiet site keeps none either."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Unconfirmed submissions deleted: {purge_unconfirmed()}")
