"""Errors of the core layer (no imports, so every core module can raise them)."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration file is missing, malformed or inconsistent.

    Messages are bilingual (Chinese / English) and name the file and the key.
    """
