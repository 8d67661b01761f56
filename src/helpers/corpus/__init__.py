"""Step 1, corpus: input files read and checked (`inputs`), every line given a role (`lines`),
sentences cut (`sentences`); `stage` writes ledger.csv, reports.csv, problems.csv and the corpus
columns of sentences.csv."""
