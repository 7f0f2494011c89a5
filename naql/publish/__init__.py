"""Publish stage: the static Arabic site and its feed."""

from naql.publish.site import ArticleView, SiteWriter, article_view

__all__ = ["ArticleView", "SiteWriter", "article_view"]
