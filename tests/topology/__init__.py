"""The production topology run as processes on this machine (one PostgreSQL, the `lagesbild` commands)."""
