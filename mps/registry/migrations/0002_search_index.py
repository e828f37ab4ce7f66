"""Full-text search infrastructure, one per database engine (see mps/registry/engine/text.py).

PostgreSQL: a GIN index over array_to_tsvector(string_to_array(search_words, ' ')).
SQLite: an FTS5 table over the same words, kept in sync with triggers on registry_service.
Note: SQLite drops these triggers when a later migration rebuilds registry_service (Django
remakes the table for most ALTERs); such a migration must run SQLITE_FORWARD's triggers again.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE INDEX registry_service_search_gin ON registry_service "
    "USING gin (array_to_tsvector(string_to_array(search_words, ' ')))",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS registry_service_search_gin"]

SQLITE_FORWARD = [
    # unicode61 with remove_diacritics 0 only ever sees [a-z0-9] words, so it splits exactly where we did.
    "CREATE VIRTUAL TABLE registry_service_fts USING fts5(words, tokenize = 'unicode61 remove_diacritics 0')",
    "INSERT INTO registry_service_fts(rowid, words) SELECT id, search_words FROM registry_service",
    """CREATE TRIGGER registry_service_fts_insert AFTER INSERT ON registry_service BEGIN
         INSERT INTO registry_service_fts(rowid, words) VALUES (new.id, new.search_words);
       END""",
    """CREATE TRIGGER registry_service_fts_update AFTER UPDATE OF search_words ON registry_service BEGIN
         DELETE FROM registry_service_fts WHERE rowid = old.id;
         INSERT INTO registry_service_fts(rowid, words) VALUES (new.id, new.search_words);
       END""",
    """CREATE TRIGGER registry_service_fts_delete AFTER DELETE ON registry_service BEGIN
         DELETE FROM registry_service_fts WHERE rowid = old.id;
       END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_service_fts_delete",
    "DROP TRIGGER IF EXISTS registry_service_fts_update",
    "DROP TRIGGER IF EXISTS registry_service_fts_insert",
    "DROP TABLE IF EXISTS registry_service_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
