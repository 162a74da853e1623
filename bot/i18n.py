"""Translations and locale-aware formatting (stub: being expanded)."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it now (gettext_noop)."""
    return message
