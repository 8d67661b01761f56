"""Step 4, pages: what a reader sees. A run's outputs read back (`outputs`), one report's page
(`report`), the index and the digest over the collection (`listing`), the search data and scripts
(`search`), the digest and search written once per run (`collection`), tables as a reader reads them
in the notebooks (`tables`), Jinja2 rendering with one header (`render`), the stage notebooks run
and exported (`notebooks`); `stage` writes every report page, the index and the collection's pages."""
