"""Issue 7's reproducers: right answers, bounded work, clear errors, nothing lost."""
