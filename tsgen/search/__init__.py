"""Finding the known fix: the search index and similar cases."""
