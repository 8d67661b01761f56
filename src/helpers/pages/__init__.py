"""Step 4, pages: what a reader sees. Page data from the contract's tables (`report`), tables as a
reader reads them in the notebooks (`tables`), Jinja2 rendering with one header (`render`), the
stage notebooks run and exported (`notebooks`); `stage` writes every report page and the index."""
