"""The EST domain: aggregates, their events and the codec to stored records (innermost layer)."""
