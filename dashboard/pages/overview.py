from dashboard.ui.page import page

page("overview", lambda view: None)
