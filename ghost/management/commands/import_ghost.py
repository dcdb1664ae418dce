from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ghost.export import ExportError, read
from ghost.importer import Importer, ImportFailed


class Command(BaseCommand):
    help = (
        "Import a Ghost site from the file Ghost Admin's “Export your content” writes: posts "
        "with their paywall, authors, tags, tiers, pages and old addresses. Run it again "
        "with a newer export to bring changes over; nothing is made twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("export", type=Path, help="the Ghost export (JSON)")
        parser.add_argument(
            "--members", type=Path, help="Ghost's members export (CSV), to import with the posts"
        )
        parser.add_argument(
            "--images",
            type=Path,
            help="the Ghost server's content/images folder, for the pictures posts use",
        )
        parser.add_argument(
            "--free-members-tier",
            metavar="SLUG",
            help="the package Ghost's free members join (without it they are skipped)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything and report; write nothing"
        )
        parser.add_argument(
            "--overwrite",
            nargs="*",
            metavar="KIND:SLUG",
            help="alone: also update rows the import made that staff have edited here "
            "since; naming rows (tier:patron, tag:ai, author:ada, post:SLUG): update those, "
            "even ones matched to a row made here",
        )

    def handle(self, *args, export: Path, dry_run: bool, overwrite, **options) -> None:
        # Absent: nothing edited or made here is changed; alone: what staff edited since.
        overwrite = False if overwrite is None else set(overwrite) or True
        try:
            ghost = read(export)
            report = Importer(
                ghost,
                members=options["members"],
                images=options["images"],
                free_members_tier=options["free_members_tier"],
                overwrite=overwrite,
                dry_run=dry_run,
            ).run()
        except (ExportError, ImportFailed) as error:
            raise CommandError(str(error)) from None
        heading = "Dry run: nothing was written." if dry_run else "Imported."
        self.stdout.write(f"{heading} Ghost {ghost.version}, {export.name}")
        for line in report.lines():
            self.stdout.write(f"  {line}")
        posts = sum(report.counts["posts"].values())
        rate = posts / report.seconds if report.seconds else 0
        self.stdout.write(f"  took {report.seconds:.1f} s ({rate:.0f} posts/s)")
