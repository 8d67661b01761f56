"""Step 4, pages: what a reader sees. Page data from the contract's tables (`report`), tables as
a reader reads them (`tables`), the Jinja2 templates and the stage notebooks' export (`templates`)."""
