"""Step 3, summarise: short English summaries of each report, three ways, each checked against
the source (`checks.summary`) and held to the length bound (`length`).

- `extractive`: the report's most central sentences (TextRank, no pretrained weights), as their
  English translations in source order, with their sentence numbers: the baseline;
- `abstractive-en`: the BART summariser on the English translation (`abstractive`);
- `abstractive-vi`: the mT5 summariser on the Vietnamese text, then translated.

`checked` holds a report's summaries to the bound and checks them against the report (a collection's
reports on every core); `stage` writes summaries.csv.
"""
