"""The site: rendering pages and statistics into a build folder, the MkDocs step, the page writer and serve."""
