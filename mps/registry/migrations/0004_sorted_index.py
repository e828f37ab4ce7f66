"""PostgreSQL: walk published services in search order ("C" collation, see mps/registry/search.py).

SQLite compares names in BINARY order already and uses registry_service_listing for this.
"""

from django.db import migrations

PG_FORWARD = (
    'CREATE INDEX registry_service_sorted ON registry_service (sort_name COLLATE "C", id) '
    "WHERE status = 'published'"
)
PG_BACKWARD = "DROP INDEX IF EXISTS registry_service_sorted"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_search_indexes")]

    operations = [migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD))]
