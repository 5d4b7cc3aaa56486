"""Finding the known fix: the site's search index (records from the archive, segmented for Chinese,
indexed by Pagefind) and similar cases (TF-IDF nearest neighbours)."""
