"""Who read what: the read log, the middleware that records reads, and its queries."""
