"""Check stage: findings on translations and the article verdict."""

from naql.qa.check import Finding, Report, arabic_ratio, check_segments

__all__ = ["Finding", "Report", "arabic_ratio", "check_segments"]
