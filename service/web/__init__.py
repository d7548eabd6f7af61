"""The HTTP edge every route shares: auth, rate limit, JSON body, problems, handler context, health and progress."""
