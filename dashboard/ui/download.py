"""The one data-download helper every chart and table goes through.

It hands the table, exactly as the screen shows it (hidden cells as `privacy.Hidden`, drawn as
"<5"/"Dolt"; uncertain values named in the note), to the export layer (dashboard.export.downloads): CSV for Swedish Excel and XLSX with a sheet naming the filters,
each download recorded in the audit log. The bytes are built only when the user clicks (Streamlit
runs the callable then), so drawing a page costs nothing extra.
"""

from __future__ import annotations

import streamlit as st

from dashboard.export.downloads import table_download, table_from_rows, view_context
from dashboard.ui import auth, data
from dashboard.ui.tables import TableData, download_note, export_rows

FORMATS = (
    ("csv", "CSV", "Datat som CSV för svenskt Excel (semikolon, decimalkomma). Dolda värden står som på skärmen."),
    ("xlsx", "Excel", "Datat som Excel-fil, med ett blad som beskriver urvalet och filtren."),
)


def download(table: TableData, *, key: str) -> None:
    """CSV and Excel download buttons for the table's data, for the current view's filters."""
    download_export(table_from_rows(table.title, [(c.label, c.unit) for c in table.columns],
                                    export_rows(table), note=download_note(table)),
                    key=key, threshold=table.threshold)


def download_export(export_table, *, key: str, threshold: int | None = None) -> None:
    """CSV and Excel download buttons for a table of the export model (numbers stay numbers)."""
    from dashboard.ui.engine import filters_for  # late: engine imports the filter frame
    from dashboard.ui.page import current_view

    view = current_view()
    settings = data.settings()
    context = view_context(
        filters_for(view), title=export_table.title, data_version=data.snapshot().data_version,
        threshold=settings.small_cell_threshold if threshold is None else threshold,
        comparison=(view.compare.start, view.compare.end) if view.compare else None,
    )
    for fmt, label, help_text in FORMATS:
        dl = table_download(export_table, fmt, context, audit_log=settings.audit_log,
                            user=auth.current().who, role=auth.current().role)
        st.download_button(label, data=dl.data, file_name=dl.file_name, mime=dl.mime,
                           key=f"{fmt}_{key}", icon=":material/download:", on_click="ignore",
                           help=help_text)
