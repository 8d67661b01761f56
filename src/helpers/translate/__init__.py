"""Step 2, translate: every title, body and caption sentence in English with its flags
(`sentences`); `stage` writes the translation columns of sentences.csv, translations/ and
references.csv."""
