"""Models: the family registry, real loading, CTranslate2 conversion, stand-ins and the hub.

- `registry`: the six models (`MODEL_REGISTRY`), keyed by a short name.
- `families`: one adapter per model family (tokenizer, language codes, decoder start,
  CTranslate2, stand-in recipe): adding a family touches that registry only.
- `locate`: where a real model's files are (local folder or Hugging Face cache).
- `loading`: the one way to load a model (real, demo or auto), safetensors copies of
  `pytorch_model.bin`, generation defaults read from the model.
- `convert`: CTranslate2 int8 conversion, checked against the tokenizer.
- `heap`: glibc's freed memory kept while a model decodes, handed back between stages.
- `standins`: random-weight models in the real repos' layouts (demo models, test fixtures),
  each family's files written by its recipe in `recipes`.
- `hub`: fetching and packing the models for offline machines; `commands`: `models fetch|check|pack`.
"""
