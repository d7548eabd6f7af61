"""The picture read model: areas, reports, weekly counts, actions, follow-ups, published assessments."""
