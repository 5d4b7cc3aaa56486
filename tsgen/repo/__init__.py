"""Git: history of the archive, the pull-request guard and renumbering. The only package that imports GitPython."""
