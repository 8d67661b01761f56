"""What a run writes: the data contract (`contract`: every file and column of `OUT/data/`) and
atomic, locked file writes (`files`)."""
