"""The collection as one database and one workbook: every table of the data contract in
`OUT/data/collection.sqlite` (full-text search over the sentences, diacritics folded; written whole,
then updated in place by each `make reports` run) and `OUT/data/collection.xlsx` (made on demand by
`python -m helpers workbook`, then kept current by `make reports`)."""
