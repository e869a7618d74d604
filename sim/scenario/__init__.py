"""Scenario files: schema, loading, inheritance, variants and error reporting."""
