from dashboard.ui.page import page

page("staffing", lambda view: None)
