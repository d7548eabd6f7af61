"""The audit trail read model: one entry per event, who shared what and when, with what changed."""
