"""Cleaning stage: duplicate detection and the filters that turn joined objects into cleaned objects."""
