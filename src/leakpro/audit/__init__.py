"""Plan and run a membership audit: validate everything first, train once, score every attack."""
