"""End-to-end tests run on SQLite (the root conftest's store); those whose outcome the store decides
also run on PostgreSQL, marked with tests/helpers.py: on_both_stores or every_store_and_order."""
