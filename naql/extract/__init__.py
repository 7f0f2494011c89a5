"""Extract stage: turn a fetched news page into an article (paragraphs plus metadata)."""

from naql.extract.article import ExtractedArticle, extract_article, read_page
from naql.extract.language import detect_language

__all__ = ["ExtractedArticle", "detect_language", "extract_article", "read_page"]
