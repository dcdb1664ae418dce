"""Every stored address in its canonical form (members/addresses.py): applications,
accounts and allauth's address records.

Two rows that become one address are not merged silently: the migration stops and
names them, for staff to merge or delete by hand before migrating again. An address
that has no canonical form (a local part that is not ASCII) is left as it is, and
named.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import migrations

from members.addresses import canonical

TABLES = [("members", "Application"), ("members", "User"), ("account", "EmailAddress")]


def canonicalise(apps, schema_editor) -> None:
    problems, plans = [], []
    for app_label, model_name in TABLES:
        model = apps.get_model(app_label, model_name)
        rows = defaultdict(list)
        changed = []
        for pk, address in model.objects.values_list("pk", "email").iterator():
            try:
                new = canonical(address)
            except ValidationError as error:
                problems.append(f"{model_name} {pk} {address!r} left as it is: {error.messages[0]}")
                new = address.lower()
            rows[new].append(pk)
            if new != address:
                changed.append(model(pk=pk, email=new))
        clashes = {new: pks for new, pks in rows.items() if len(pks) > 1}
        if clashes:
            named = "; ".join(
                f"{new} ← {model_name} {sorted(pks)}" for new, pks in sorted(clashes.items())
            )
            raise RuntimeError(
                f"These {model_name} rows name one mailbox once their addresses are made "
                f"canonical: {named}. Merge or delete them by hand, then migrate again."
            )
        plans.append((model, changed))
    for model, changed in plans:
        model.objects.bulk_update(changed, ["email"], batch_size=500)
    for problem in problems:
        print(f"\n  {problem}")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_index_applications_newest_first"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
