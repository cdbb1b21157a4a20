"""Content catalog: pydantic models and the validating loader (pure)."""

from trainer.catalog.loader import Catalog, CatalogError, ContentError, check_catalog, load_catalog
from trainer.catalog.models import PLATFORM_LABELS, QUESTION_TYPES, SEED_FILES

__all__ = [
    "PLATFORM_LABELS",
    "QUESTION_TYPES",
    "SEED_FILES",
    "Catalog",
    "CatalogError",
    "ContentError",
    "check_catalog",
    "load_catalog",
]
