"""The site's search: records built from the archive, tokenised for Chinese, indexed by Pagefind."""
