"""The editor's routes, one router per resource."""

from naql.web.routes import articles, assets, auth, glossary, queue

ROUTERS = (assets.router, auth.router, queue.router, articles.router, glossary.router)

__all__ = ["ROUTERS"]
