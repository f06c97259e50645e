"""``pattern-lint``: what AWS would reject and what silently never matches, found in the user's files.

The command line is `patterns.lint.cli.main`; the rules live in `patterns.lint.rules`, finding
patterns in templates in `patterns.lint.sources` (one reader per host format), output formats in
`patterns.lint.render`.
"""
