"""Every stored address made canonical again, now that domains are encoded by IDNA 2008
(members/addresses.py): a stored punycode domain IDNA 2008 refuses is named and left as
it is, and two rows that become one stop the migration, as in 0004."""

import importlib

from django.db import migrations

canonicalise = importlib.import_module("members.migrations.0004_canonical_addresses").canonicalise


class Migration(migrations.Migration):
    dependencies = [("members", "0009_export_permissions")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
