"""Publishing the warehouse to analysts: snapshots, Parquet, PostgreSQL grants, suppression."""
