from dashboard.ui.page import page

page("data_quality", lambda view: None)
