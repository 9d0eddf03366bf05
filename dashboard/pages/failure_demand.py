from dashboard.ui.page import page

page("failure_demand", lambda view: None)
