"""Exports: the förvaltning pack (XLSX, PDF), data downloads (CSV, XLSX) and the audit log.

Entry points (docs/exports.md):
    dashboard.export.pack.pack_download(db, filters, fmt, comparison=..., settings=..., user=...)
    dashboard.export.downloads.table_download(table, fmt, context, audit_log=..., user=...)
    dashboard.export.downloads.table_from_rows(title, columns, rows, note=...)
    dashboard.export.downloads.view_context(filters, title=..., data_version=..., threshold=...)
Each returns or builds a `Download` whose `data()` makes the file and records it in the audit log.
"""
