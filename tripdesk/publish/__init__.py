"""Publishing: the durable outbox and its backends (dry-run, X)."""
