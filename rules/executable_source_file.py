"""
## What it does

Flags a file the patch makes executable (`new mode 100755`, or `new file mode
100755`) when it is not a script.  A new file is a script when its first line
starts with `#!`; for a mode-only change the name decides: C sources and
headers, assembly, documentation, device trees, Kconfig and Makefiles are
never scripts.  Files whose kind cannot be told from the name are left alone.

## Why is this bad?

An executable bit on a source file is almost always an accident of the
author's editor or file system (a Windows share, a `chmod -R`).  It ends up in
git history and every tree that pulls it.

## Example

```diff
diff --git a/kernel/bpf/verifier.c b/kernel/bpf/verifier.c
old mode 100644
new mode 100755
```

## Use instead

```diff
diff --git a/scripts/check-foo.sh b/scripts/check-foo.sh
old mode 100644
new mode 100755
```

## References

- checkpatch.pl: EXECUTE_PERMISSIONS ("do not set execute permissions for source files")
"""

from __future__ import annotations

from reviewbot.ruleapi import Report, rule

NEVER_SCRIPTS = (
    ".c", ".h", ".S", ".s", ".rst", ".txt", ".yaml", ".yml", ".dts", ".dtsi", ".json", ".cocci",
    ".md", ".html", ".svg", ".rs", ".lds", ".xml", ".cfg", ".conf", ".ini", ".csv", ".patch", ".diff",
    ".in", ".bc", ".y", ".l", ".asn1", ".tbl", ".config", ".dtso", ".mk", ".ld", ".cc", ".cpp", ".hpp",
)
NEVER_SCRIPT_NAMES = ("Kconfig", "Makefile", "Kbuild", "MAINTAINERS", "README", "COPYING", "CREDITS")


KINDS = {".c": "a C source file", ".h": "a C header", ".S": "an assembly source file", ".rst": "documentation",
         ".txt": "documentation", ".yaml": "a binding schema", ".dts": "a device tree", ".dtsi": "a device tree"}


def _kind(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return KINDS.get(ext, "not a script")


def _never_script(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(NEVER_SCRIPTS) or name.startswith(NEVER_SCRIPT_NAMES)


@rule("executable-source-file", severity="error", scope="file", checkpatch=("EXECUTE_PERMISSIONS",))
def check(ctx):
    fc = ctx.file
    if fc.new_mode != "100755" or (fc.old_mode == "100755" and fc.status != "added"):
        return
    if fc.status == "added":
        first = next((x.text for h in fc.hunks for x in h.lines if x.kind == "+"), None)
        if first is not None and first.startswith("#!"):
            return
        if first is None and not _never_script(fc.path):
            return   # an empty or binary new file of unknown kind
        kind = _kind(fc.path)
        yield Report(f"new file created executable (mode 100755), but it is {kind}"
                     if kind != "not a script" else "new file created executable (mode 100755), but it is not a script",
                     hint="create it with mode 100644")
        return
    if not fc.mode_changed or not _never_script(fc.path):
        return
    script = fc.hunks and fc.hunks[0].new_start == 1 and fc.hunks[0].post_image \
        and fc.hunks[0].post_image[0].text.startswith("#!")
    if script:
        return
    kind = _kind(fc.path)
    yield Report(f"mode changed {fc.old_mode} => 100755, but this is {kind}: source files must not be executable"
                 if kind != "not a script" else
                 f"mode changed {fc.old_mode} => 100755, but this is not a script: it must not be executable",
                 hint="drop the mode change (chmod -x the file and amend the commit)")
