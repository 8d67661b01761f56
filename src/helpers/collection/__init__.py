"""The collection as one database and one workbook: every table of the data contract in
`OUT/data/collection.sqlite` (full-text search over the sentences, diacritics folded) and
`OUT/data/collection.xlsx`, written by `make reports` after the pages."""
