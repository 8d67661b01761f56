"""Command line: the same stages the notebooks run, for scripts and `make`.

Exit status: 0 when all went well, 2 when some input was rejected (everything
else is still processed and written), 1 when the run could not go on (the
message says why; never a traceback for a user's mistake).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import MODEL_MODES, TRANSLATORS, Config
from .outputs import read_csv

EXIT_OK, EXIT_FATAL, EXIT_REJECTED = 0, 1, 2
STAGES = ("corpus", "translate", "summarise", "reports")
BACKENDS = ("ctranslate2", "transformers")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vi2en", description="Vietnamese reports to English translations and summaries.")
    p.add_argument(
        "stage", choices=STAGES,
        help="corpus, translate, summarise: write the data files up to that stage; reports: run and export the notebooks",
    )
    p.add_argument("--seeds", default="seeds", help="folder of *.txt reports (default: seeds)")
    p.add_argument("--out", default="build", help="output folder (default: build)")
    p.add_argument("--models", default="auto", choices=MODEL_MODES, help="real, demo or auto (default)")
    p.add_argument("--translator", default="opus-mt", choices=TRANSLATORS)
    p.add_argument("--backend", default="ctranslate2", choices=BACKENDS,
                   help="ctranslate2 (int8, fast; default) or transformers (fp32 reference)")
    p.add_argument("--memory", default=None, help="translation memory database (default: in the cache folder)")
    p.add_argument("--notebooks", default="notebooks", help="folder of the numbered notebooks (reports stage)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a stage; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        cfg = Config(seeds=args.seeds, out=args.out, models=args.models, translator=args.translator,
                     backend=args.backend, memory_path=args.memory)
        if not cfg.seeds.is_dir():
            raise FileNotFoundError(f"input folder {cfg.seeds} does not exist or is not a folder")
        if args.stage != "reports":
            from .pipeline import run_corpus, run_summarise, run_translate

            if args.models == "real":
                preflight(cfg)
            corpus = run_corpus(cfg)
            if args.stage == "translate":
                run_translate(cfg, corpus)
            elif args.stage == "summarise":
                run_summarise(cfg, corpus)
        else:
            from .runner import run_all

            if cfg.models == "real":
                preflight(cfg)
            elif cfg.models == "auto":
                warn_demo(cfg)
            pages = run_all(cfg, Path(args.notebooks))
            print(f"wrote {len(pages)} pages to {cfg.html_dir}")
            _report_problems(cfg)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:  # ModelUnavailable, NotebookFailed included
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FATAL
    problems = read_csv(cfg.data_dir / "problems.csv")
    return EXIT_REJECTED if len(problems) else EXIT_OK


def preflight(cfg: Config) -> None:
    """With MODELS=real, fail in seconds (before any notebook runs) if a model is not here."""
    from .models import find_real, load_real

    for key in cfg.model_keys():
        spec = cfg.spec(key)
        if find_real(spec) is None:
            load_real(spec)  # downloads when the hub is reachable, else raises ModelUnavailable


def warn_demo(cfg: Config) -> None:
    """With MODELS=auto, say on the terminal which models will be demo stand-ins."""
    from .models import find_real

    missing = [cfg.spec(k).source for k in cfg.model_keys() if find_real(cfg.spec(k)) is None]
    if missing:
        print(f"warning: not available locally, using DEMO models instead (their text is not a translation): "
              f"{', '.join(missing)}", file=sys.stderr)


def _report_problems(cfg: Config) -> None:
    """Repeat the rejected inputs on stderr (notebooks keep theirs in their outputs)."""
    for row in read_csv(cfg.data_dir / "problems.csv").itertuples():
        print(f"error: {row.file}: {row.problem}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
