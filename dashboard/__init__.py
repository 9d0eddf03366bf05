"""Kontaktcenter analytics for Malmö stad: store, ingest, metrics, charts, exports, dashboard."""

__version__ = "0.1.0"
