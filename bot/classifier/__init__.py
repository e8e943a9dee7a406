"""Classifier: is a chat message a problem report, which category, how urgent, where.

The contract the rest of the bot relies on (keep it stable):

    clf = Classifier.load()                      # packaged config/categories.yaml, or a path
    c = clf.classify("3号楼下水道堵了", role="resident")
    c.is_report, c.category, c.subcategory, c.urgency, c.confidence, c.keywords, c.location, c.emergency
    clf.taxonomy.category_name("environment")    # "环境卫生"
    clf.taxonomy.deadlines("environment", sub, "green")  # ("1wd", "5wd") duration specs
"""

from bot.classifier.model import Classification, Classifier, Taxonomy, TaxonomyError

__all__ = ["Classification", "Classifier", "Taxonomy", "TaxonomyError"]
