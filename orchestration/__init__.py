"""lipas-warehouse package."""
