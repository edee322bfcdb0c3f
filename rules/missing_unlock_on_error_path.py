"""
## What it does

Flags an error `return` (`return -EINVAL;`, `return ERR_PTR(...)`, `return
ret;` under `if (ret)` or `if (ret < 0)`, `return NULL;` or `return false;`
under an `if`) added while a lock taken earlier in the same function is still
held: `mutex_lock()`, `spin_lock()` and its `_irq`, `_irqsave`, `_bh` forms,
`read_lock()`, `write_lock()`, `down_read()`, `down_write()`, `down()`,
`rcu_read_lock()`, `srcu_read_lock()`, `xa_lock()`, `rtnl_lock()`,
`lock_sock()`, `mmap_read_lock()`, and a `mutex_lock_interruptible()` (or
`_killable()`, `down_interruptible()`) whose failure returned.  The lock must
be taken by a statement of its own that every path to the `return` passes,
with no unlock of it (or any `*unlock*()` call) on the way, and the function
must release it itself, last of all its lock calls, so that holding it on
return is not the function's contract.

Not judged: functions annotated `__acquires()`, `__releases()` or
`__must_hold()`; functions whose first call on the lock unlocks it (called
with it held); locks taken with `mutex_trylock()`, `guard()` or
`scoped_guard()` (which release themselves), or only on some paths; a lock
handed to a callee between the two (`xlog_wait(&wq, &log->l_icloglock)`), or a
function of the same file that unlocks that lock; plain `return;` (void
functions that keep the lock on purpose look the same).  A label between the
lock and the `return` ends the search: the paths that join there may not hold
it.

## Why is this bad?

Returning with a lock held leaves it held forever: the next caller deadlocks,
or with a spinlock (and interrupts or bottom halves disabled) the CPU hangs.
Error paths are rarely exercised, so the bug ships.  lockdep reports it only
when the path runs ("lock held when returning to user space").

## Example

```c
static int foo_set_mode(struct foo_priv *priv, int mode)
{
	int ret;

	mutex_lock(&priv->lock);
	if (mode > FOO_MODE_MAX)
		return -EINVAL;
	ret = foo_hw_write(priv, FOO_REG_MODE, mode);
	mutex_unlock(&priv->lock);
	return ret;
}
```

## Use instead

```c
static int foo_set_mode(struct foo_priv *priv, int mode)
{
	int ret;

	if (mode > FOO_MODE_MAX)
		return -EINVAL;
	mutex_lock(&priv->lock);
	ret = foo_hw_write(priv, FOO_REG_MODE, mode);
	mutex_unlock(&priv->lock);
	return ret;
}
```

## References

- Documentation/locking/lockdep-design.rst; include/linux/cleanup.h (`guard()`, `scoped_guard()`)
- smatch: check_locking.c, "inconsistent returns"; Coccinelle: scripts/coccinelle/locks/flags.cocci
- Documentation/dev-tools/checkpatch.rst has no equivalent: checkpatch cannot see data flow
"""

from __future__ import annotations

import re

from reviewbot.cflow import PREPROC_ARMS, is_block, jumps, leaves_before, macro_loop_header, span_broken
from reviewbot.csyntax import added_text, call_name, chain, matches, query, strip_parens, text, walk
from reviewbot.ruleapi import Report, rule

_SPIN = ("", "_irq", "_irqsave", "_bh", "_nested", "_irqsave_nested", "_nest_lock")
# Lock function -> the kind of lock (its unlock must be of the same kind); the key is
# the kind and the first argument.
LOCKS = {
    **{f"mutex_lock{s}": "mutex" for s in ("", "_nested", "_io", "_nest_lock")},
    **{f"spin_lock{s}": "spin" for s in _SPIN},
    **{f"raw_spin_lock{s}": "spin" for s in _SPIN},
    **{f"read_lock{s}": "rwlock" for s in _SPIN}, **{f"write_lock{s}": "rwlock" for s in _SPIN},
    "down_read": "rwsem", "down_write": "rwsem", "down_read_nested": "rwsem", "down_write_nested": "rwsem",
    "down": "sem", "rcu_read_lock": "rcu", "rcu_read_lock_bh": "rcu_bh", "rcu_read_lock_sched": "rcu_sched",
    "srcu_read_lock": "srcu", "xa_lock": "xa", "xa_lock_irq": "xa", "xa_lock_bh": "xa", "xa_lock_irqsave": "xa",
    "rtnl_lock": "rtnl", "lock_sock": "sock", "mmap_read_lock": "mmap", "mmap_write_lock": "mmap",
}
# Locks taken only when they return 0: `if (mutex_lock_interruptible(&m)) return -EINTR;`.
CONDITIONAL_LOCKS = {
    "mutex_lock_interruptible": "mutex", "mutex_lock_killable": "mutex",
    "mutex_lock_interruptible_nested": "mutex", "mutex_lock_killable_nested": "mutex",
    "down_interruptible": "sem", "down_killable": "sem", "down_read_killable": "rwsem",
    "down_write_killable": "rwsem", "down_read_interruptible": "rwsem", "mmap_read_lock_killable": "mmap",
    "mmap_write_lock_killable": "mmap",
}
UNLOCKS = {
    "mutex_unlock": "mutex",
    **{f"spin_unlock{s}": "spin" for s in ("", "_irq", "_irqrestore", "_bh")},
    **{f"raw_spin_unlock{s}": "spin" for s in ("", "_irq", "_irqrestore", "_bh")},
    **{f"read_unlock{s}": "rwlock" for s in ("", "_irq", "_irqrestore", "_bh")},
    **{f"write_unlock{s}": "rwlock" for s in ("", "_irq", "_irqrestore", "_bh")},
    "up_read": "rwsem", "up_write": "rwsem", "up": "sem", "rcu_read_unlock": "rcu",
    "rcu_read_unlock_bh": "rcu_bh", "rcu_read_unlock_sched": "rcu_sched", "srcu_read_unlock": "srcu",
    "xa_unlock": "xa", "xa_unlock_irq": "xa", "xa_unlock_bh": "xa", "xa_unlock_irqrestore": "xa",
    "rtnl_unlock": "rtnl", "release_sock": "sock", "mmap_read_unlock": "mmap", "mmap_write_unlock": "mmap",
}
LOCKING = re.compile(rb"lock|\bdown")
NO_ARGUMENT = frozenset({"rcu", "rcu_bh", "rcu_sched", "rtnl"})
ANNOTATIONS = re.compile(r"\b__(?:acquires|releases|must_hold|cond_acquires|cond_lock)\b")
ERROR_NAMES = frozenset({"ret", "err", "error", "rc", "retval", "rv", "status", "result", "res", "r", "ret_val"})
ERROR_CALLS = frozenset({"ERR_PTR", "ERR_CAST", "PTR_ERR", "ERR_PTR_PCPU"})


def _key(call, kind: str) -> tuple[str, str]:
    if kind in NO_ARGUMENT:
        return kind, ""
    args = call.child_by_field_name("arguments").named_children
    return kind, (re.sub(r"\s+", "", text(strip_parens(args[0]))) if args else "")


def _events(node):
    """The lock and unlock calls under a node: (call, "lock"|"cond"|"unlock"|"any-unlock", key)."""
    out = []
    for m in matches(query("lock_calls"), node):
        call = m["call"]
        name = call_name(call)
        if name in LOCKS:
            out.append((call, "lock", _key(call, LOCKS[name])))
        elif name in CONDITIONAL_LOCKS:
            out.append((call, "cond", _key(call, CONDITIONAL_LOCKS[name])))
        elif name in UNLOCKS:
            out.append((call, "unlock", _key(call, UNLOCKS[name])))
        elif name is not None and "unlock" in name:
            out.append((call, "any-unlock", None))
    return out


def _direct_lock(stmt):
    """`mutex_lock(&m);` or `idx = srcu_read_lock(&s);`: (call, key), else None."""
    if stmt.type != "expression_statement" or stmt.named_child_count != 1:
        return None
    expr = stmt.named_children[0]
    if expr.type == "assignment_expression":
        expr = expr.child_by_field_name("right")
    name = call_name(expr)
    if name in LOCKS:
        return strip_parens(expr), _key(strip_parens(expr), LOCKS[name])
    return None


def _failed_lock(stmt):
    """`if (mutex_lock_interruptible(&m)) return -EINTR;`: the lock is held after the
    statement.  (call, key), else None."""
    if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
        return None
    call = _lock_result(stmt.child_by_field_name("condition"))
    if call is None:
        return None   # `if (x && mutex_lock_killable(&m))` takes it only when x
    body = stmt.child_by_field_name("consequence")
    last = body.named_children[-1] if body.type == "compound_statement" and body.named_child_count else body
    return (call, _key(call, CONDITIONAL_LOCKS[call_name(call)])) if jumps(last) else None


def _lock_result(cond):
    """The conditional lock call a condition tests the failure of, alone: `mutex_lock_killable(&m)`,
    `(ret = down_interruptible(&s))`, `unlikely(...)`, `... != 0`, `... < 0`."""
    cond = strip_parens(cond)
    if cond.type == "call_expression" and call_name(cond) in ("unlikely", "likely"):
        args = cond.child_by_field_name("arguments").named_children
        return _lock_result(args[0]) if len(args) == 1 else None
    if cond.type == "binary_expression" and cond.child_by_field_name("operator").type in ("!=", "<") \
            and text(cond.child_by_field_name("right")) == "0":
        return _lock_result(cond.child_by_field_name("left"))
    if cond.type == "assignment_expression":
        return _lock_result(cond.child_by_field_name("right"))
    return cond if call_name(cond) in CONDITIONAL_LOCKS else None


def _assigned_lock(stmt):
    """`ret = mutex_lock_interruptible(&m);` (its failure is tested by the next statement)."""
    if stmt.type != "expression_statement" or stmt.named_child_count != 1:
        return None
    expr = stmt.named_children[0]
    if expr.type != "assignment_expression":
        return None
    right = strip_parens(expr.child_by_field_name("right"))
    name = call_name(right)
    return (right, _key(right, CONDITIONAL_LOCKS[name])) if name in CONDITIONAL_LOCKS else None


def _effects(stmt):
    """What a statement before the return does to each lock on the paths that get past
    it: {key: "released" | "unknown"}, and whether an unknown `*unlock*()` ran."""
    effects: dict = {}
    anything = False
    for call, kind, key in _events(stmt):
        if leaves_before(call, stmt, stmt.end_byte):
            continue   # on a path that returns or jumps away before the statement ends
        if kind == "unlock":
            effects[key] = "released"
        elif kind == "any-unlock":
            anything = True
        else:
            effects[key] = "unknown"   # taken on some paths only
    return effects, anything


def _error_return(ret) -> bool:
    """Does the return look like a failure: `-EINVAL`, `ERR_PTR()`, `NULL` or `false`
    under an `if`, or `ret` under a test that it failed (`if (ret)`, `if (ret < 0)`)?"""
    value = ret.named_children[0] if ret.named_child_count else None
    if value is None:
        return False   # `return;` ends void functions that hold the lock on purpose too
    value = strip_parens(value)
    if value.type == "unary_expression" and value.child_by_field_name("operator").type == "-":
        arg = strip_parens(value.child_by_field_name("argument"))
        return arg.type == "number_literal" or (arg.type == "identifier" and text(arg).startswith("E"))
    if value.type == "number_literal":
        return text(value).startswith("-")
    if call_name(value) in ERROR_CALLS:
        return True
    cond = _guarding_condition(ret)
    if cond is None:
        return False
    if text(value) in ("NULL", "false"):
        return True
    return value.type == "identifier" and text(value) in ERROR_NAMES and _tests_failure(cond, text(value))


def _tests_failure(cond, name: str) -> bool:
    """Is the condition true when `name` holds an error: `ret`, `ret < 0`, `ret != 0`,
    `unlikely(ret)`, `ret == -EAGAIN`, `ret || x`?"""
    cond = strip_parens(cond)
    if cond.type == "identifier":
        return text(cond) == name
    if cond.type == "call_expression" and call_name(cond) in ("unlikely", "likely", "WARN_ON", "WARN_ON_ONCE"):
        args = cond.child_by_field_name("arguments").named_children
        return len(args) == 1 and _tests_failure(args[0], name)
    if cond.type == "binary_expression":
        op = cond.child_by_field_name("operator").type
        left, right = strip_parens(cond.child_by_field_name("left")), strip_parens(cond.child_by_field_name("right"))
        if op in ("&&", "||"):
            return _tests_failure(left, name) or _tests_failure(right, name)
        if left.type == "identifier" and text(left) == name:
            if op in ("<", "!=") and text(right) == "0":
                return True
            return op == "==" and text(right).startswith("-")
    return False


def _guarding_condition(ret):
    for a in chain(ret.parent, None):
        if a.type == "if_statement":
            return a.child_by_field_name("condition")
        if a.type in ("function_definition", "translation_unit", "for_statement", "while_statement",
                      "do_statement", "switch_statement"):
            return None
    return None


def _held(ret, unit):
    """The locks still held when `ret` runs: [(lock call, key, its statement)]."""
    settled: dict = {}        # key -> state decided by a statement nearer the return
    held = []
    node = ret
    while node.parent is not None and node != unit:
        parent = node.parent
        if parent.type == "function_definition":
            break
        if parent.type == "labeled_statement":
            return held   # other paths join at the label
        if parent.type == "compound_statement" and parent.parent is not None \
                and parent.parent.type == "switch_statement":
            node = parent
            continue   # the other cases are not on the path
        header = macro_loop_header(parent)
        if header is not None:
            for part in (parent, header):
                for _, kind, key in _events(part):
                    if kind == "any-unlock":
                        return held
                    settled.setdefault(key, "unknown")   # an iterator body that drops and retakes it
        if is_block(parent):
            if parent.type in PREPROC_ARMS and node.type in PREPROC_ARMS:
                node = parent
                continue
            sibling = node.prev_named_sibling
            first = True
            while sibling is not None:
                if sibling.type == "labeled_statement" or jumps(sibling) \
                        or any(True for _ in walk(sibling, {"labeled_statement"})):
                    return held   # paths join here (a label), or the return is reached only through one
                if sibling.type == "comment":
                    sibling = sibling.prev_named_sibling
                    continue
                lock = _direct_lock(sibling) or _failed_lock(sibling) \
                    or (None if first else _assigned_lock(sibling))
                if lock is not None:
                    call, key = lock
                    if key not in settled:
                        settled[key] = "held"
                        held.append((call, key, sibling))
                else:
                    effects, anything = _effects(sibling)
                    if anything:
                        return held
                    for key, state in effects.items():
                        settled.setdefault(key, state)
                first = False
                sibling = sibling.prev_named_sibling
        elif parent.type in ("for_statement", "while_statement", "do_statement"):
            for _, kind, key in _events(parent):
                if kind == "any-unlock":
                    return held
                settled.setdefault(key, "unknown")   # a loop that drops and retakes it
        elif parent.type == "if_statement" and node != parent.child_by_field_name("condition"):
            for _, kind, key in _events(parent.child_by_field_name("condition")):
                settled.setdefault(key, "unknown")   # `if (mutex_lock_interruptible(&m)) return ...`
        node = parent
    return held


def _annotated(unit) -> bool:
    if unit.type != "function_definition":
        return False
    decl = unit.child_by_field_name("declarator")
    return decl is not None and ANNOTATIONS.search(text(decl)) is not None


def _released_elsewhere(events, call, key) -> bool:
    """Does the function itself release the lock after taking it, and end with it
    released (its first event for the lock is not an unlock, its last one is)?"""
    mine = [(c, kind) for c, kind, k in events if k == key]
    if not mine or mine[0][1] == "unlock" or mine[-1][1] != "unlock":
        return False   # entered with the lock held, or returns with it held on purpose
    return any(kind == "unlock" and c.start_byte > call.end_byte for c, kind in mine)


def _member(arg: str) -> str:
    """The last name in a lock expression: `lock` for `&priv->lock`, `wbuf_sem` for `&c->wbuf_sem`."""
    m = re.search(r"(\w+)\W*$", arg)
    return m.group(1) if m else arg


def _handed_over(unit, call, key, ret, releasing) -> bool:
    """Between the lock and the return, is the lock handed to a function that may drop
    it (`xlog_wait(&wq, &log->l_icloglock)`), or is a function of this file called that
    unlocks a lock of that kind and name?"""
    start, end = call.end_byte, ret.start_byte
    mine = (key[0], _member(key[1]))
    stack = [unit]
    while stack:
        n = stack.pop()
        if n.end_byte <= start or n.start_byte >= end:
            continue
        if n.type == "call_expression" and n.start_byte >= start:
            name = call_name(n)
            if mine in releasing.get(name, ()):
                return True
            if key[1] and name not in LOCKS and name not in UNLOCKS and name not in CONDITIONAL_LOCKS \
                    and not (name or "").startswith("lockdep_"):
                args = n.child_by_field_name("arguments")
                if args is not None and any(re.sub(r"\s+", "", text(strip_parens(x))) == key[1]
                                            for x in args.named_children):
                    return True
        stack.extend(n.named_children)
    return False


def _releasing_functions(root) -> dict:
    """Functions of the file that release a lock: name -> {(kind, member)} of what they
    unlock (or declare with `__releases()`)."""
    found: dict = {}
    stack = list(root.children)
    while stack:
        node = stack.pop()
        if node.type in PREPROC_ARMS:
            stack.extend(node.children)   # functions inside `#ifdef CONFIG_...`
            continue
        if node.type != "function_definition":
            continue
        decl = node.child_by_field_name("declarator")
        while decl is not None and decl.type not in ("function_declarator", "identifier"):
            decl = decl.child_by_field_name("declarator")
        if decl is None or decl.type != "function_declarator":
            continue
        name = decl.child_by_field_name("declarator")
        if name is None or name.type != "identifier":
            continue
        released = {(k[0], _member(k[1])) for _, kind, k in _events(node) if kind == "unlock"}
        for m in re.finditer(r"__releases\(([^)]*)\)", text(decl)):
            released |= {(kind, _member(m.group(1))) for kind in set(LOCKS.values())}
        if released:
            found[text(name)] = released
    return found


def _nothing_to_find(view) -> bool:
    """Asked before the tree: LOCKING (`lock`, `\\bdown`) finds nothing in a unit, text of the
    source, or no unit has `return` in its added text (added_text joins added rows)."""
    if b"lock" not in view.source and b"down" not in view.source:
        return True
    return not any("return" in view.rows[r] for r in view.added_rows)


@rule("missing-unlock-on-error-path", severity="warning", scope="function", preview=True, paths=("*.c", "*.h"))
def check(ctx):
    view = ctx.view
    whole = view.whole_file
    releasing = None
    if _nothing_to_find(view):
        return
    for unit in view.units():
        if "return" not in added_text(view, unit) or not LOCKING.search(unit.text):
            continue
        returns = [m["ret"] for m in matches(query("returns"), unit) if view.row_added(m["ret"].start_point.row)]
        if not returns or _annotated(unit):
            continue
        events = None
        for ret in returns:
            if not _error_return(ret):
                continue
            if events is None:
                events = _events(unit)
                if not any(kind in ("lock", "cond") for _, kind, _ in events):
                    break
            for call, key, stmt in _held(ret, unit):
                if not _released_elsewhere(events, call, key):
                    continue   # never released here: the caller or a callee releases it
                if span_broken(stmt.parent, stmt, ret) or (stmt.parent.type == "translation_unit" and whole):
                    continue
                if releasing is None:
                    releasing = _releasing_functions(view.root) if whole else {}
                if _handed_over(unit, call, key, ret, releasing):
                    continue
                line = view.nearby_line(call.start_point.row)
                taken = f"{call_name(call)}({text(call.child_by_field_name('arguments'))[1:-1]})"
                yield Report(
                    f"this returns with `{taken}` still held (taken {f'at line {line}' if line else 'above'}); "
                    f"the function's other paths unlock it",
                    line=view.line_of(ret),
                    hint="unlock before returning, or `goto` the label that unlocks "
                         "(or take the lock with guard() from <linux/cleanup.h>)",
                )
                break
