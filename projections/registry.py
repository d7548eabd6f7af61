"""The projections the service keeps, by name."""

from __future__ import annotations

from projections.audit.projection import AuditProjection
from projections.catalogue.projection import CatalogueProjection
from projections.generations import Projection
from projections.patterns.projection import PatternsProjection
from projections.picture.projection import PictureProjection

PROJECTIONS: dict[str, Projection] = {
    p.name: p for p in (PictureProjection(), AuditProjection(), CatalogueProjection(), PatternsProjection())
}
