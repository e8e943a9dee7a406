"""Classifier: is a chat message a problem report, which category, how urgent, where.

The contract the rest of the bot relies on (keep it stable):

    clf = Classifier.load()                      # packaged config/categories.yaml, or a path
    c = clf.classify("3号楼下水道堵了", role="resident")
    c.is_report, c.category, c.subcategory, c.urgency, c.confidence, c.keywords, c.location, c.emergency
    clf.explain("3号楼下水道堵了")                 # Chinese sentences: what was decided and why
    clf.taxonomy.category_name("environment")    # "环境卫生"
    clf.taxonomy.deadlines("environment", sub, "green")  # ("1wd", "5wd") duration specs

Modules: normalize (text clean-up), taxonomy (YAML loading and validation), segment (jieba with the
rule words), rules (token lexicon and patterns), location, engine (scoring), evaluate, suggest, cli.
"""

from bot.classifier.engine import Classification, Classifier
from bot.classifier.taxonomy import Taxonomy, TaxonomyError

__all__ = ["Classification", "Classifier", "Taxonomy", "TaxonomyError"]
