"""Step 3, summarise: each report summarised three ways (`methods`); `stage` writes summaries.csv."""
