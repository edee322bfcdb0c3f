"""The command line: `reviewbot check|reply|patchwork|github|watch|outbox|status|rules|explain|learn`.
Imports stay inside each command so `reviewbot check` starts fast."""

from __future__ import annotations

import argparse
import os
import sys

FORMATS = ("text", "checkpatch", "gcc", "json", "sarif", "rdjson", "rdjsonl", "github", "email", "b4-review")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other usage error
        raise _UsageError(f"{message} (see {self.prog} --help)")


def _review_arguments(c) -> None:
    """The arguments every reviewing command takes."""
    c.add_argument("inputs", nargs="*", metavar="INPUT",
                   help="what to review (default: stdin when it is not a terminal)")
    c.add_argument("--select", metavar="RULE,...", help="run only these rules (preview rules too)")
    c.add_argument("--extend-select", metavar="RULE,...", help="run these rules too (preview rules)")
    c.add_argument("--ignore", metavar="RULE|TYPE,...",
                   help="do not run these rules; checkpatch type names (LONG_LINE) drop findings of that type")
    c.add_argument("--types", metavar="TYPE,...", help="show only findings of these checkpatch types")
    c.add_argument("--fail-on", choices=("error", "warning", "note"), default=None,
                   help="exit 1 when a finding at or above this severity is found (default: warning)")
    c.add_argument("--show-preexisting", action="store_true",
                   help="also show what the patch did not cause: findings on lines it only moves or "
                        "re-indents, and faults the code already had")
    c.add_argument("--config", metavar="FILE",
                   help="read this configuration (default: .reviewbot.toml or [tool.reviewbot] in "
                        "pyproject.toml, from the current directory upward)")
    c.add_argument("--no-config", action="store_true", help="read no configuration file")
    c.add_argument("--msgid", action="append", metavar="MESSAGE-ID",
                   help="review the patches of this thread, fetched from lore (repeatable)")
    c.add_argument("--lore-url", metavar="URL",
                   help="where to fetch threads from (default: $REVIEWBOT_LORE_URL or https://lore.kernel.org/all)")
    c.add_argument("--tree", metavar="DIR", help="a source tree to read whole functions from")
    c.add_argument("--knowledge", metavar="FILE",
                   help="functions that return NULL or ERR_PTR from this `reviewbot learn` database, "
                        "instead of the built-in one (mined from Linux 6.12)")
    c.add_argument("--no-tree", action="store_true",
                   help="do not use the git work tree of the current directory for context")


def _parser() -> argparse.ArgumentParser:
    from reviewbot import __version__

    p = _Parser(prog="reviewbot", description="Review C patches as they were mailed.")
    p.add_argument("--version", action="version", version=f"reviewbot {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("check", help="review patches and print the findings",
                       description="Review patches: mbox files, .eml/.patch files, bare diffs, directories, "
                                   "maildirs, web-archive copies, '-' for stdin, or a git revision range.")
    _review_arguments(c)
    c.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")

    y = sub.add_parser("reply", help="write review replies for the list (one per patch with findings)",
                       description="Review patches and write the reply each would get on the list: "
                                   "into --outbox DIR as .eml files (kept if already there), "
                                   "else as an mbox on stdout.")
    _review_arguments(y)
    y.add_argument("--outbox", metavar="DIR", help="write each reply as a file in DIR")

    w = sub.add_parser("patchwork", help="post each review as a patchwork check",
                       description="Review patches and post a check (context 'reviewbot') on each one's "
                                   "patchwork entry, found by Message-ID. The API token is read from "
                                   "$PATCHWORK_TOKEN (never from the command line).")
    _review_arguments(w)
    w.add_argument("--url", required=True, help="the patchwork instance, e.g. https://patchwork.kernel.org")
    w.add_argument("--project", required=True, help="the project's link name, e.g. netdevbpf")
    w.add_argument("--context", default="reviewbot", help="the check's context (default: reviewbot)")
    w.add_argument("--target-url", help="a URL for the check to link to (at most 200 characters)")

    g = sub.add_parser("github", help="review a pull request's commits in GitHub Actions",
                       description="Review each commit of the pull request (base..head of $GITHUB_EVENT_PATH) "
                                   "in the checkout, then post a review, a check run, annotations or SARIF. "
                                   "Reads GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_TOKEN and GITHUB_API_URL.")
    g.add_argument("--mode", default="review,check",
                   help="comma-separated: review, check, annotations, sarif (default: review,check)")
    g.add_argument("--select", metavar="RULE,...", help="run only these rules (preview rules too)")
    g.add_argument("--extend-select", metavar="RULE,...", help="run these rules too (preview rules)")
    g.add_argument("--ignore", metavar="RULE|TYPE,...", help="do not run these rules")
    g.add_argument("--fail-on", choices=("error", "warning", "note"), default=None,
                   help="the check fails, and the exit status is 1, at or above this severity (default: warning)")
    g.add_argument("--request-changes", action="store_true",
                   help="post the review as REQUEST_CHANGES when there are errors (default: COMMENT)")
    g.add_argument("--sarif-output", default="reviewbot.sarif", metavar="FILE",
                   help="where --mode sarif writes (default: reviewbot.sarif)")
    g.add_argument("--config", metavar="FILE", help="read this configuration")
    g.add_argument("--no-config", action="store_true", help="read no configuration file")

    t = sub.add_parser("watch", help="follow mailing lists, review each new patch and reply",
                       description="Read each configured list's new mail (public-inbox, maildir, mbox, lore), "
                                   "review every patch once and deliver the replies owed (SMTP or an outbox), "
                                   "keeping its state in SQLite. A first run starts from now.")
    t.add_argument("--config", required=True, metavar="FILE", help="the service's TOML configuration")
    t.add_argument("--once", action="store_true", help="poll once and exit (for cron)")
    t.add_argument("--backfill", action="store_true",
                   help="on a first run, review what the sources already hold instead of starting from now")

    o = sub.add_parser("outbox", help="list, send or drop the replies waiting in the service's outbox")
    o.add_argument("action", choices=("list", "send", "drop"))
    o.add_argument("ids", nargs="*", metavar="ID", help="replies to act on (default for send: all)")
    o.add_argument("--config", required=True, metavar="FILE", help="the service's TOML configuration")

    s = sub.add_parser("status", help="the watching service's counts and last errors")
    s.add_argument("--config", required=True, metavar="FILE", help="the service's TOML configuration")

    r = sub.add_parser("rules", help="list the rules")
    r.add_argument("--format", choices=("text", "json"), default="text")
    r.add_argument("--all", action="store_true", help="include preview rules (listed anyway, marked)")

    e = sub.add_parser("explain", help="print a rule's documentation")
    e.add_argument("rule", metavar="RULE")

    n = sub.add_parser("learn", help="mine a kernel tree for functions that return NULL or ERR_PTR",
                       description="Read a kernel source tree and write the database of functions that can "
                                   "return NULL or an ERR_PTR, with how often their callers check the result.")
    n.add_argument("--tree", required=True, metavar="DIR", help="the kernel source tree to read")
    n.add_argument("--output", "-o", metavar="FILE", help="where to write the TSV (default: standard output)")
    n.add_argument("--jobs", "-j", type=int, default=2, metavar="N", help="processes to read with (default: 2)")
    n.add_argument("--min-sites", type=int, default=0, metavar="N",
                   help="leave out functions with fewer call sites than this (default: 0, keep all)")
    n.add_argument("--merge", metavar="TSV",
                   help="add the facts of this knowledge file for the functions not written otherwise")
    return p


def _check(args, stdout, stderr, stdin) -> int:
    from importlib import import_module

    from reviewbot.engine import at_or_above
    from reviewbot.findings import Severity
    from reviewbot.pipeline import Options, review_inputs, session

    run = session(Options.of(args))
    result = review_inputs(run.reviewer, list(args.inputs), stdin, args.msgid, args.lore_url)
    renderer = import_module(f"reviewbot.render.{args.format.replace('-', '_')}")
    if args.format == "email":
        stdout.write(renderer.render(result, **_reply_context(run)))
    else:
        stdout.write(renderer.render(result))
    for path, text in getattr(renderer, "extra_outputs", lambda *_: [])(result, os.environ):
        try:   # e.g. GitHub's step summary: appended, as Actions expects
            with open(path, "a", encoding="utf-8", errors="replace") as out:
                out.write(text)
        except OSError as e:
            stderr.write(f"reviewbot: cannot write {path}: {e.strerror or e}\n")
    for problem in result.problems:
        stderr.write(f"reviewbot: {problem}\n")
    if result.problems:
        return EXIT_ERROR
    found = (f for r in result.reviews for f in r.findings)
    return EXIT_FINDINGS if at_or_above(found, Severity.parse(run.fail_on)) else EXIT_CLEAN


def _reply_context(run) -> dict:
    from reviewbot import __version__
    from reviewbot.reply import ReplySettings, ruleset_version

    return {"settings": ReplySettings(**run.config.reply),
            "ruleset": ruleset_version(__version__, run.selection.rules)}


def _patchwork(args, stdout, stderr, stdin) -> int:
    """`reviewbot patchwork`: review, then post one check per patch."""
    from reviewbot.deliver.patchwork import Patchwork
    from reviewbot.errors import InputError
    from reviewbot.pipeline import Options, review_inputs, session

    token = os.environ.get("PATCHWORK_TOKEN")
    if not token:
        raise InputError("patchwork: set $PATCHWORK_TOKEN to the API token")
    run = session(Options.of(args))
    result = review_inputs(run.reviewer, list(args.inputs), stdin, args.msgid, args.lore_url)
    pw = Patchwork(args.url, args.project, token, args.context, args.target_url)
    failed = False
    for check in pw.post(list(result.reviews)):
        stdout.write(f"{check.message_id or '-'}: {check.outcome}"
                     + (f" (patch {check.patch_id}, {check.state})" if check.patch_id else "") + "\n")
        failed |= check.outcome not in ("posted", "not found", "no message-id")
    for problem in result.problems:
        stderr.write(f"reviewbot: {problem}\n")
    return EXIT_ERROR if failed or result.problems else EXIT_CLEAN


def _reply(args, stdout, stderr, stdin) -> int:
    """`reviewbot reply`: the replies owed, into --outbox DIR (or as an mbox on stdout)."""
    import time
    from pathlib import Path

    from reviewbot.pipeline import Options, review_inputs, session
    from reviewbot.reply import write_outbox
    from reviewbot.render.email import render, replies

    run = session(Options.of(args))
    result = review_inputs(run.reviewer, list(args.inputs), stdin, args.msgid, args.lore_url)
    context = _reply_context(run)
    if args.outbox:
        owed = replies(result, context["settings"], context["ruleset"], time.time())
        for path, written in write_outbox(Path(args.outbox), owed):
            stdout.write(f"{'wrote' if written else 'kept'} {path}\n")
    else:
        stdout.write(render(result, **context))
    for problem in result.problems:
        stderr.write(f"reviewbot: {problem}\n")
    return EXIT_ERROR if result.problems else EXIT_CLEAN


def _watch(args, stderr) -> int:
    from pathlib import Path

    from reviewbot.watch.config import load_watch_config
    from reviewbot.watch.service import Service

    service = Service(load_watch_config(Path(args.config)), log=stderr)
    try:
        return service.run(once=args.once, backfill=args.backfill)
    finally:
        service.close()


def _outbox(args, stdout) -> int:
    from pathlib import Path

    from reviewbot.watch import commands
    from reviewbot.watch.config import load_watch_config

    config = load_watch_config(Path(args.config))
    if args.action == "list":
        return commands.outbox_list(config, stdout)
    if args.action == "send":
        return commands.outbox_send(config, list(args.ids), stdout)
    return commands.outbox_drop(config, list(args.ids), stdout)


def _status(args, stdout) -> int:
    from pathlib import Path

    from reviewbot.watch.commands import status
    from reviewbot.watch.config import load_watch_config

    return status(load_watch_config(Path(args.config)), stdout)


def _rules(args, stdout) -> int:
    import json

    from reviewbot.engine import registry

    rules = registry()
    if args.format == "json":
        stdout.write(json.dumps([{
            "id": r.id, "severity": str(r.meta.severity), "scope": str(r.meta.scope), "preview": r.meta.preview,
            "checkpatch": list(r.meta.checkpatch), "paths": list(r.meta.paths), "summary": r.summary,
        } for r in rules], indent=2) + "\n")
        return EXIT_CLEAN
    width = max(len(r.id) for r in rules)
    for r in rules:
        flag = " (preview)" if r.meta.preview else ""
        stdout.write(f"{r.id:<{width}}  {str(r.meta.severity):<7}  {str(r.meta.scope):<8}  {r.summary}{flag}\n")
    return EXIT_CLEAN


def _explain(args, stdout) -> int:
    from reviewbot.engine import rule_by_id
    from reviewbot.errors import InputError

    rule = rule_by_id().get(args.rule)
    if rule is None:
        raise InputError(f"unknown rule id {args.rule} (see `reviewbot rules`)")
    meta = rule.meta
    stdout.write(f"# {rule.id}\n\n")
    stdout.write(f"severity: {meta.severity}   scope: {meta.scope}"
                 + (f"   checkpatch: {', '.join(meta.checkpatch)}" if meta.checkpatch else "")
                 + ("   preview (off by default)" if meta.preview else "") + "\n\n")
    stdout.write(rule.doc.strip() + "\n")
    return EXIT_CLEAN


def _learn(args, stdout, stderr) -> int:
    from pathlib import Path

    from reviewbot.errors import InputError
    from reviewbot.learn import run

    if not Path(args.tree).is_dir():
        raise InputError(f"--tree {args.tree}: not a directory")
    if args.jobs < 1:
        raise InputError(f"--jobs {args.jobs}: must be at least 1")
    if args.merge and not Path(args.merge).is_file():
        raise InputError(f"--merge {args.merge}: no such file")
    return run(Path(args.tree), args.output, stdout, stderr, jobs=args.jobs, min_sites=args.min_sites,
               merge=args.merge)


def main(argv: list[str] | None = None, stdout=None, stderr=None, stdin=None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    stdin = stdin if stdin is not None else sys.stdin
    try:
        args = _parser().parse_args(argv)
    except _UsageError as e:
        stderr.write(f"reviewbot: {e}\n")
        return EXIT_ERROR
    except SystemExit as e:   # --help and --version print and exit 0
        return int(e.code or 0)
    from reviewbot.errors import InputError

    try:
        if args.command == "check":
            return _check(args, stdout, stderr, stdin)
        if args.command == "reply":
            return _reply(args, stdout, stderr, stdin)
        if args.command == "patchwork":
            return _patchwork(args, stdout, stderr, stdin)
        if args.command == "github":
            from reviewbot.pullrequest import main as github_main

            return github_main(args, os.environ, stdout, stderr)
        if args.command == "watch":
            return _watch(args, stderr)
        if args.command == "outbox":
            return _outbox(args, stdout)
        if args.command == "status":
            return _status(args, stdout)
        if args.command == "learn":
            return _learn(args, stdout, stderr)
        if args.command == "rules":
            return _rules(args, stdout)
        return _explain(args, stdout)
    except InputError as e:
        stderr.write(f"reviewbot: {e}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_CLEAN
