"""The `lipas` command line: thin commands that call ingestion, quality and Dagster."""
