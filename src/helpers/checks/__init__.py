"""Checks of English against its source: the flag registry (`flags`: every code and its
meaning), facts compared as values (`facts`), dropped clauses (`coverage`), a sentence's
checks (`sentence`) and a summary's (`summary`)."""
