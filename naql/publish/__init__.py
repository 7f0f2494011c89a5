"""Publish stage: the static Arabic site, its feeds, sitemaps and search index."""

from naql.publish.site import PublishReport, SiteWriter, content_security_policy
from naql.publish.views import ArticleView, ListItem, Tag, article_view

__all__ = [
    "ArticleView",
    "ListItem",
    "PublishReport",
    "SiteWriter",
    "Tag",
    "article_view",
    "content_security_policy",
]
