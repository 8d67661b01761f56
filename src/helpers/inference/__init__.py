"""Running a model over many texts: decoding settings, batching by length, generation on
transformers or CTranslate2, the translation memory, and the engines (this process or Dask)
the batches run on; and Python work that holds one core on every core (`cores`)."""
