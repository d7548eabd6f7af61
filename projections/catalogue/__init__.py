"""The catalogue read model: each tenant's areas and its own categories."""
