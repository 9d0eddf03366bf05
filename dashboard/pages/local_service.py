from dashboard.ui.page import page

page("local_service", lambda view: None)
