"""Read and judge the archive: field specs, the document model, loading, validation and cross-links.

Pure Python and PyYAML only: no click, GitPython, MkDocs or Jinja2 (an import-linter contract).
"""
