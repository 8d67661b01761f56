"""The full shapes of the real models, for the benchmarks: random-weight stand-ins of these sizes
cost what the real models cost per token (`helpers.models.standins.build_standin(..., shape=...)`)."""

from __future__ import annotations

from helpers.models.standins import Shape

# The shape of Helsinki-NLP/opus-mt-vi-en: same compute per token as the real model; like the real
# one, the target side has its own 32k-piece SentencePiece model within the joint vocabulary.
OPUS_MT_SHAPE = Shape(d_model=512, layers=6, heads=8, ffn=2048, extra_vocab=50_000, spm_vocab=8000, spm_type="bpe",
                      target_vocab=32_000, tag="opus-mt-shape")


# sshleifer/distilbart-cnn-12-6: d_model 1024, 12 encoder and 6 decoder layers, 16 heads, FFN 4096, 50,264 rows.
DISTILBART_SHAPE = Shape(d_model=1024, layers=12, decoder_layers=6, heads=16, ffn=4096, spm_vocab=8000,
                         extra_vocab=50_265, tag="distilbart-shape")


# csebuetnlp/mT5_multilingual_XLSum (mT5-base): d_model 768, 12+12 layers, 12 heads, gated FFN 2048,
# 250,112 rows, untied output layer.
MT5_BASE_SHAPE = Shape(d_model=768, layers=12, heads=12, ffn=2048, spm_vocab=8000, extra_vocab=250_112,
                       tag="mt5-base-shape")

SHAPES = {"opus-mt": OPUS_MT_SHAPE, "distilbart": DISTILBART_SHAPE, "mt5-xlsum": MT5_BASE_SHAPE}
