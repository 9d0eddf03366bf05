from dashboard.ui.page import page

page("service_gaps", lambda view: None)
