"""
## What it does

Flags a new source file without an `SPDX-License-Identifier` on its first
line (the second, after a `#!` line), in the comment style the kernel uses
for that kind of file:

- C sources, Rust and device trees: `// SPDX-License-Identifier: GPL-2.0`
- C headers and assembly: `/* SPDX-License-Identifier: GPL-2.0 */`
- Makefiles, Kbuild, Kconfig and scripts (shell, Python, Perl):
  `# SPDX-License-Identifier: GPL-2.0`

It says whether the line is missing, further down than the first line, in the
wrong comment style (`//` in a header, `/* */` in a .c file), or names no
license.  Only files the patch creates are judged.

## Why is this bad?

Every file in the kernel states its license in a machine-readable line, and
tools (`scripts/spdxcheck.py`, the licensing scanners distributions run) read
only that line, at that place.  Headers keep `/* */` because they are also
included from assembly and linker scripts, where `//` did not always work.
Maintainers do not take new files without it.

## Example

```c
/*
 * Foo controller driver
 *
 * Copyright (C) 2024 Example Corp.
 */
#include <linux/module.h>
```

## Use instead

```c
// SPDX-License-Identifier: GPL-2.0-only
/*
 * Foo controller driver
 *
 * Copyright (C) 2024 Example Corp.
 */
#include <linux/module.h>
```

## References

- Documentation/process/license-rules.rst ("License identifier syntax")
- checkpatch.pl: SPDX_LICENSE_TAG ("Missing or malformed SPDX-License-Identifier
  tag in line 1", "Improper SPDX comment style for 'foo.h', please use '/*'
  instead", "Misplaced SPDX-License-Identifier tag")
"""

from __future__ import annotations

import re

from reviewbot.ruleapi import Report, rule

TAG = re.compile(r"SPDX-License-Identifier:[ \t]*(.*)")

# How the SPDX line must look, by kind of file: (name, opening, closing).
SLASHES = ("//", "")
STARS = ("/*", "*/")
HASH = ("#", "")
STYLES = {".c": SLASHES, ".rs": SLASHES, ".dts": SLASHES, ".dtsi": SLASHES, ".dtso": SLASHES,
          ".h": STARS, ".S": STARS,
          ".sh": HASH, ".py": HASH, ".pl": HASH}
KINDS = {".c": "a C source file", ".rs": "a Rust source file", ".dts": "a device tree", ".dtsi": "a device tree",
         ".dtso": "a device tree overlay", ".h": "a C header", ".S": "an assembly file", ".sh": "a shell script",
         ".py": "a Python script", ".pl": "a Perl script"}
# Device trees use either comment style in practice; checkpatch only judges the style of C and assembly.
EITHER_C_STYLE = (".dts", ".dtsi", ".dtso")


def _kind(path: str) -> tuple[tuple[str, str], str, str]:
    """(style, what the file is, extension) of a file the rule applies to."""
    name = path.rsplit("/", 1)[-1]
    ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if ext in STYLES:
        return STYLES[ext], KINDS[ext], ext
    if name.startswith("Kconfig"):
        return HASH, "a Kconfig file", ""
    return HASH, "a Makefile", ""


def _example(style: tuple[str, str], license: str = "<license>") -> str:
    opening, closing = style
    return f"{opening} SPDX-License-Identifier: {license}{' ' + closing if closing else ''}"


@rule("missing-spdx-license", severity="warning", scope="file", checkpatch=("SPDX_LICENSE_TAG",),
      paths=("*.c", "*.h", "*.S", "*.rs", "*.dts", "*.dtsi", "*.dtso", "*.sh", "*.py", "*.pl",
             "Makefile", "Makefile.*", "Kbuild", "Kconfig", "Kconfig.*"))
def check(ctx):
    fc = ctx.file
    if fc.status != "added" or not fc.hunks:
        return
    lines = fc.hunks[0].added
    if not lines or lines[0].new != 1:
        return
    style, what, ext = _kind(fc.path)
    first = 1
    if lines[0].text.startswith("#!"):
        first, style = 2, HASH   # a script: the SPDX line follows the interpreter line
    want = _example(style)
    where = next((x for x in lines[:40] if TAG.search(x.text)), None)
    if where is None:
        at = lines[min(first, len(lines)) - 1]
        yield Report(f"new file has no SPDX-License-Identifier: line {first} should be `{want}`", line=at.new,
                     mail_line=at.mail_line,
                     hint=f"add `{_example(style, 'GPL-2.0-only')}` (or the file's license) as line {first}, "
                          "in place of any license boilerplate")
        return
    if where.new != first:
        yield Report(f"SPDX-License-Identifier on line {where.new}; it belongs on line {first}", line=where.new,
                     mail_line=where.mail_line, hint=f"move it to line {first}")
        return
    text = where.text.strip()
    if not TAG.search(text).group(1).strip(" */"):
        yield Report("SPDX-License-Identifier names no license", line=where.new, mail_line=where.mail_line,
                     hint=f"name the license: `{_example(style, 'GPL-2.0-only')}`")
        return
    opening, closing = style
    if ext in EITHER_C_STYLE and text.startswith(("//", "/*")):
        return
    if not text.startswith(opening):   # (a `/*` that closes on a later line is fine: tools read the tag)
        used = "//" if text.startswith("//") else "/* */" if text.startswith("/*") else text.split("SPDX")[0].strip()
        if used:
            problem = f"SPDX line in {what} uses `{used}`"
        else:
            problem = "SPDX-License-Identifier is not in a comment"
        yield Report(f"{problem}; {what} takes `{want}`", line=where.new, mail_line=where.mail_line,
                     hint=f"write it as `{_with_license(style, text)}`")


def _with_license(style: tuple[str, str], text: str) -> str:
    license = TAG.search(text).group(1).strip()
    return _example(style, license[:-2].rstrip() if license.endswith("*/") else license)
