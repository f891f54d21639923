"""The warehouse export (DESIGN.md §8): the customer history and its dimensions, pseudonymised,
exported incrementally by change-log sequence into DuckDB or Parquet."""
