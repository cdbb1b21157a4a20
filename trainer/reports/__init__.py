"""Manager analytics: aggregation in SQL, pandas only to shape the result."""
