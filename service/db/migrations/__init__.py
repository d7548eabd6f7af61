"""Versioned SQL migrations, applied in order at start-up and by `lagesbild migrate`."""
