"""From command-line style options to a `RunResult`: the steps `check`, `reply` and the
services share (configuration, rule choice, reading inputs, reviewing each patch)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, NamedTuple

from reviewbot.config import Config
from reviewbot.errors import InputError
from reviewbot.review import Policy, Reviewer, RunResult, Skipped, skip_reason
from reviewbot.selection import Selection


class Options(NamedTuple):
    """What the review commands share; the argparse namespace has these names."""

    select: str | None = None
    extend_select: str | None = None
    ignore: str | None = None
    types: str | None = None
    fail_on: str | None = None
    show_preexisting: bool = False
    config: str | None = None
    no_config: bool = False
    tree: str | None = None
    no_tree: bool = False
    knowledge: str | None = None

    @classmethod
    def of(cls, args) -> "Options":
        return cls(**{name: getattr(args, name, default) for name, default in cls._field_defaults.items()})


class Session(NamedTuple):
    config: Config
    selection: Selection
    reviewer: Reviewer

    @property
    def fail_on(self) -> str:
        return self.config.fail_on or "warning"


def load_config(options: Options) -> Config:
    """--config FILE, else the nearest configuration from the working directory up."""
    from reviewbot.config import find_config, load_config as load
    from reviewbot.engine import registry

    if options.no_config:
        return Config()
    if options.config:
        path = Path(options.config)
        if not path.is_file():
            raise InputError(f"--config {options.config}: no such file")
    else:
        path = find_config(Path.cwd())
        if path is None:
            return Config()
    return load(path, registry())


def session(options: Options) -> Session:
    from reviewbot.ingest import git_toplevel
    from reviewbot.knowledge import builtin, from_file
    from reviewbot.selection import choose

    if options.tree and not Path(options.tree).is_dir():
        raise InputError(f"--tree {options.tree}: not a directory")
    config = load_config(options)
    if options.fail_on:
        config = config._replace(fail_on=options.fail_on)
    chosen = choose(options.select, options.ignore, options.extend_select, options.types, config)
    policy = Policy(config, chosen.ignore_types, chosen.only_types,
                    options.show_preexisting or config.show_preexisting)
    git_top = None if options.no_tree else git_toplevel()
    knowledge_file = options.knowledge or config.knowledge
    knowledge = from_file(knowledge_file) if knowledge_file else builtin()
    reviewer = Reviewer(chosen.rules, knowledge, Path(options.tree) if options.tree else None, git_top, policy)
    return Session(config, chosen, reviewer)


def review_items(reviewer: Reviewer, items: Iterable) -> RunResult:
    """Review what `ingest.read_inputs` yields; a problem with one message never costs the others."""
    from reviewbot.ingest import Problem
    from reviewbot.mail import parse_message

    reviews, skipped, problems = [], [], []
    for item in items:
        if isinstance(item, Problem):
            problems.append(str(item))
            continue
        try:
            message = parse_message(item)
            reason = skip_reason(message)
            if reason:
                skipped.append(Skipped(str(item.origin), reason))
                continue
            reviews.append(reviewer.review(message))
        except RecursionError:
            problems.append(f"{item.origin}: too deeply nested to review; skipped")
        except Exception as e:  # a bug must not cost the user the other patches' review
            problems.append(f"{item.origin}: internal error ({type(e).__name__}: {e}); skipped, please report")
    return RunResult(tuple(reviews), tuple(skipped), tuple(problems))


def review_inputs(reviewer: Reviewer, inputs: list[str], stdin, msgids: list[str] | None = None,
                  lore_url: str | None = None) -> RunResult:
    """Review INPUTs, or the lore threads of `msgids` (--msgid), or both."""
    from reviewbot.ingest import read_inputs

    if msgids:
        from itertools import chain

        from reviewbot.deliver.lore import fetch_thread, thread_messages

        threads = [thread_messages(m, fetch_thread(m, lore_url)) for m in msgids]
        local = read_inputs(inputs, stdin=getattr(stdin, "buffer", stdin)) if inputs else ()
        return review_items(reviewer, chain(*threads, local))
    if not inputs:
        if stdin.isatty():
            raise InputError("no INPUT given and standard input is a terminal (use '-' or a file)")
        inputs = ["-"]
    result = review_items(reviewer, read_inputs(inputs, stdin=getattr(stdin, "buffer", stdin)))
    if not result.reviews and not result.skipped and not result.problems:
        raise InputError(f"{', '.join(inputs)}: no mail or patch found")
    return result
