"""Writing into the archive: new tickets and articles, init; never clobbering a file."""
