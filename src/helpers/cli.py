"""Command line: the same stages the notebooks run, for scripts and `make`, and the models command.

Exit status: 0 when all went well, 2 when some input was rejected (everything
else is still processed and written), 1 when the run could not go on (the
message says why; never a traceback for a user's mistake), 130 when stopped
with Ctrl-C (one `interrupted:` line).
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn
from pathlib import Path

from helpers.config import Config
from helpers.corpus.inputs import input_folder_problem
from helpers.errors import (EXIT_FATAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_REJECTED, INTERRUPTED, EnvironmentProblem,
                            InputError, SettingsError, UserError)
from helpers.pipeline import STAGE_NAMES
from helpers.store.files import read_csv, read_json
from helpers.text.terminal import shown

STAGES = (*STAGE_NAMES, "reports")
MODEL_ACTIONS = ("fetch", "check", "pack")


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake on the command line as one `error:` line and exit status 1 (the run
    could not go on), not its usage text and status 2, which says "some inputs rejected" here."""

    def error(self, message: str) -> NoReturn:
        print(shown(f"error: {message} (see --help)"), file=sys.stderr)
        sys.exit(EXIT_FATAL)


def _run_options(p: argparse.ArgumentParser) -> None:
    """One option per Config field: its help and default live there."""
    run = p.add_argument_group("run parameters (each also $HELPERS_<NAME>; checked by Config, which names it)")
    for f in Config.parameter_fields():
        choices = f" ({', '.join(f.metadata['choices'])})" if f.metadata["choices"] else ""
        run.add_argument("--" + f.name.replace("_", "-"), dest=f.name, default=None, metavar=f.name.upper(),
                         help=f"{f.metadata['help']}{choices}; default: {f.metadata['shown']}".replace("%", "%%"))


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="vi2en", description="Vietnamese reports to English translations and summaries.")
    p.add_argument(
        "stage", choices=STAGES + ("workbook", "models", "review"),
        help=f"{', '.join(STAGE_NAMES)}: make the data files up to that stage anew; reports: run the stages "
             "(reusing what is current), run and export the notebooks; workbook: write OUT/data/collection.xlsx "
             "from the run in OUT (make reports then keeps it current); models fetch|check|pack: get the real models "
             "onto this machine or another; "
             "review export|import: reviews to and from translators' tools (`review --help`)",
    )
    p.add_argument("action", nargs="?", choices=MODEL_ACTIONS, help="with `models`: fetch, check (default) or pack")
    _run_options(p)
    p.add_argument("--notebooks", default="notebooks", help="folder of the numbered notebooks (reports stage)")
    p.add_argument("--to", default=None, help="with `models pack`: the folder to write the pack to")
    p.add_argument("--archive", action="store_true", help="with `models pack`: also write DIR.tar")
    p.add_argument("--lock", default="models.lock.json",
                   help="with `models`: the lock file (default: models.lock.json)")
    return p


def _review_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="vi2en review", description="Reviews to and from translators' tools "
                                "(XLIFF 1.2, TMX 1.4b); the reviews live in REVIEWS (docs/review.md).")
    sub = p.add_subparsers(dest="action", required=True)
    export = sub.add_parser("export", help="write sentences of the run in OUT as XLIFF or TMX")
    export.add_argument("--report", action="append", default=[], metavar="ID", help="a report to export (repeatable)")
    export.add_argument("--all", action="store_true", help="every report of the run")
    export.add_argument("--format", choices=("xliff", "tmx"), default=None,
                        help="default: by the --to suffix, else xliff")
    export.add_argument("--to", required=True, metavar="FILE", help="the file to write")
    imp = sub.add_parser("import", help="take an XLIFF file's final or translated segments, or a TMX file's units, "
                                        "as reviews (matched against the sentences of the run in OUT)")
    imp.add_argument("file", metavar="FILE", help="the XLIFF or TMX file")
    for action in (export, imp):
        _run_options(action)
    return p


def review_main(argv: list[str]) -> int:
    """`review export|import`: 0 when done, 2 when some imported segments matched no sentence of
    the run (listed, kept as unused reviews), 1 for a file or run that cannot be used (one line)."""
    from helpers.review.exchange import export_reviews, import_reviews

    args = _review_parser().parse_args(argv)
    try:
        cfg = config_from(args)
        if args.action == "export":
            print(shown(export_reviews(cfg, args.report, args.all, args.format, Path(args.to))))
            return EXIT_OK
        done = import_reviews(cfg, Path(args.file), args.reviewer)
    except (UserError, OSError) as exc:  # ReviewFileError and GlossaryError included
        return _error(exc)
    for line in done.lines:
        print(shown(line))
    for source in done.unmatched:
        print(shown(f"unmatched: {args.file}: no sentence of {cfg.data_dir / 'sentences.csv'} reads "
                    f"{source[:120]!r} (kept as an unused review)"), file=sys.stderr)
    return EXIT_REJECTED if done.unmatched else EXIT_OK


def config_from(args: argparse.Namespace) -> Config:
    """The run's Config, from the command line (the only channel into the stages and notebooks): each
    option given, else $HELPERS_<NAME> (how `make` passes its variables), else the field's default;
    relative paths from the working folder."""
    return Config.from_parameters({name: getattr(args, name.lower()) for name in Config.parameter_names()},
                                  base=Path.cwd())


def _terminal_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A Python warning as the terminal shows it: one line, no source path or code line."""
    print(f"warning: {shown(message)}", file=sys.stderr)


def _error(exc: UserError | OSError) -> int:
    """The boundary: a user's problem (or one the OS met: a full disk, a read-only or vanished
    folder) as one escaped `error:` line naming what and why; the run's exit status."""
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        print(shown(f"error: {where}{exc.strerror or exc}"), file=sys.stderr)
        return EXIT_FATAL
    for line in exc.listed:
        print(shown(line), file=sys.stderr)
    print(shown(f"error: {exc}"), file=sys.stderr)
    return exc.exit_status


def main(argv: list[str] | None = None) -> int:
    """Run a command; return the exit status. Only a `UserError` or an `OSError` becomes one
    `error:` line here, and Ctrl-C one `interrupted` line (what a run finished is on disk, its stamps say
    so, and the next run goes on from there): anything else is a bug and keeps its traceback."""
    try:
        return _command(argv)
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED


def _command(argv: list[str] | None) -> int:
    """The command `argv` names (`main` without its handling of Ctrl-C)."""
    import warnings

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["review"]:
        return review_main(argv[1:])
    args = parser().parse_args(argv)
    warnings.showwarning = _terminal_warning
    # `warn_demo` names the demo stand-ins once, before any stage: not again per stage
    warnings.filterwarnings("ignore", message=".* is not available locally: using a DEMO model")
    try:
        cfg = config_from(args)
        if args.stage == "models":
            from helpers.models.commands import run_models_command

            from helpers.models.registry import MODEL_REGISTRY

            specs = {key: cfg.spec(key) for key in MODEL_REGISTRY}
            return run_models_command(specs, cfg.cache_dir, cfg.backend, args.action or "check", Path(args.lock),
                                      args.to, args.archive)
        if args.action:
            raise SettingsError(f"`{args.action}` goes with the `models` command only")
        if args.stage == "workbook":
            from helpers.collection.workbook import workbook_of_run

            print(shown(f"wrote {workbook_of_run(cfg.data_dir)}: every table of the run, a sheet each"))
            return EXIT_OK
        problem = input_folder_problem(cfg.seeds)
        if problem is not None:
            raise InputError(f"input folder {cfg.seeds} {problem}")
        check_out(cfg)
        if args.stage == "reports" and not Path(args.notebooks).is_dir():  # a typo would run no stage notebook
            raise SettingsError(f"--notebooks {args.notebooks}: no such folder (the numbered notebooks, "
                                "`notebooks` in the checkout)")
        if cfg.models == "real" and args.stage != "corpus":
            preflight(cfg)
        elif cfg.models == "auto" and args.stage != "corpus":
            warn_demo(cfg)
        if args.stage == "reports":
            from helpers.pipeline import final_line, run_all

            summary = run_all(cfg, Path(args.notebooks))
            report_problems(cfg)
            print(shown(final_line(cfg, summary)))
        else:
            from helpers.pipeline import run_stages

            run_stages(cfg, args.stage, force=True)  # the command makes its stages anew (make reports reuses)
            report_problems(cfg)
    except (UserError, OSError) as exc:  # ModelError, NotebookFailed, EngineError included
        return _error(exc)
    from helpers.store.contract import TABLES

    problems = read_csv(cfg.data_dir / TABLES["problems"].file)
    return EXIT_REJECTED if len(problems) else EXIT_OK


def check_out(cfg: Config) -> None:
    """The output folder is the project's own (`store.outputs.claim_output`: not the checkout, not
    SEEDS or above it, new, empty or a previous output) and can be written (not a file, not
    read-only, not full): say so before anything is written."""
    import tempfile

    from helpers.store.outputs import claim_output

    for folder in (cfg.out, cfg.data_dir):
        if folder.exists() and not folder.is_dir():
            raise SettingsError(f"output folder {folder} exists and is a file; give another OUT")
    try:
        claim_output(cfg.out, cfg.seeds)  # refuses, naming OUT and why, before writing anything
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=cfg.data_dir) as probe:
            probe.write(b"probe")
            probe.flush()
    except OSError as exc:
        raise EnvironmentProblem(f"output folder {cfg.out} cannot be written: {exc.strerror or exc}") from None


def preflight(cfg: Config) -> None:
    """With MODELS=real, load every model the run needs (tokenizer and weights, on the chosen backend)
    before any stage or notebook runs: a missing or broken model stops the run at once, named."""
    from helpers.models.loading import load_model

    for key in dict.fromkeys(cfg.model_keys()):
        loaded = load_model(cfg.spec(key), "real", cfg.cache_dir, cfg.backend)
        if loaded.ct2_note:
            print(shown(f"note: {loaded.spec.source} runs on transformers: {loaded.ct2_note}"), file=sys.stderr)


def warn_demo(cfg: Config) -> None:
    """With MODELS=auto, say on the terminal which models will be demo stand-ins."""
    from helpers.models.locate import locate

    missing = [cfg.spec(k).source for k in cfg.model_keys() if locate(cfg.spec(k)) is None]
    if missing:
        print(shown(f"warning: not available locally, using DEMO models instead (their text is not a translation): "
                    f"{', '.join(missing)}"), file=sys.stderr)


def print_problems(seeds: Path, skipped: list[tuple[str, str]], rejected: list[tuple[str, str]]) -> None:
    """The skipped entries (`note:`) and rejected inputs (`error:`) on stderr, one line each, naming
    the file (notebooks keep theirs in their outputs)."""
    for file, note in skipped:
        print(shown(f"note: {seeds / file}: {note}"), file=sys.stderr)
    for file, problem in rejected:
        print(shown(f"error: {seeds / file}: {problem}"), file=sys.stderr)


def report_problems(cfg: Config) -> None:
    """The run's skipped entries (run.json) and rejected inputs (problems.csv) on stderr."""
    from helpers.store.contract import read_table

    skipped = read_json(cfg.run_json).get("corpus", {}).get("inputs", {}).get("skipped", [])
    print_problems(cfg.seeds, [(s["file"], s["note"]) for s in skipped],
                   [(row.file, row.problem) for row in read_table(cfg, "problems").itertuples()])


if __name__ == "__main__":
    sys.exit(main())
