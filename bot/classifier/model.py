"""Kept for old imports; the classifier lives in engine.py and taxonomy.py now."""

from bot.classifier.engine import Classification, Classifier
from bot.classifier.taxonomy import Taxonomy, TaxonomyError

__all__ = ["Classification", "Classifier", "Taxonomy", "TaxonomyError"]
