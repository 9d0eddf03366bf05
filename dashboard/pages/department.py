from dashboard.ui.page import page

page("department", lambda view: None)
