"""Product search over object embeddings: a persisted ANN index with attribute filters, and its evaluation."""

from emma_pipeline.search.evaluation import diverse_queries, macro_recall, query_set, recall_at_k
from emma_pipeline.search.product_search import ProductSearch, SearchFilter

__all__ = ["ProductSearch", "SearchFilter", "diverse_queries", "macro_recall", "query_set", "recall_at_k"]
