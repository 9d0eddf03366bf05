from dashboard.ui.page import page

page("about", lambda view: None)
