"""The shipped knowledge (`rules/data/kernel-6.12.tsv`): what it says, where it comes from, what
loading it costs; and the knowledge a configuration adds."""

from __future__ import annotations

import re

import pytest

from conftest import run_cli
from reviewbot import knowledge
from reviewbot.knowledge import CONFIDENT_SHARE, Knowledge, ReturnFact, builtin, parse_facts, read_data
from test_rules import wrap_new_file

# Every row says where in the kernel source its evidence is: `path/file.c:123`.
CITES_SOURCE = re.compile(r"\b[\w./-]+\.[ch]:\d+\b")


@pytest.fixture(scope="module")
def shipped() -> dict[str, ReturnFact]:
    return parse_facts(read_data(knowledge.BUILTIN))


def test_builtin_loads_on_first_look_up():
    calls = []

    def load():
        calls.append(1)
        return ("# a comment\nfunction\treturns\tchecked\tsites\tevidence\n"
                "g\terr_ptr\t\t\tbody: `return ERR_PTR()` (lib/g.c:1)\n"
                "f\tnull\t0.99\t100\tbody: `return NULL` (lib/f.c:1)\n"
                "f_x\tnull\t0.99\t100\tbody: `return NULL` (lib/f.c:9)\n")

    facts = knowledge._LazyFacts(load)
    k = Knowledge(facts)
    assert not facts.loaded and not calls
    assert k.may_return_null("f") == ReturnFact("f", "null", 0.99, 100, "body: `return NULL` (lib/f.c:1)")
    assert k.facts.get("h") is None and k.facts.get("f_") is None and "g" in k.facts
    assert len(k.facts) == 3 and list(k.facts) == ["f", "f_x", "g"]
    assert k.facts["g"].may_be_err_ptr and not k.facts["g"].may_be_null
    assert calls == [1]


def test_every_row_cites_kernel_source(shipped):
    uncited = [f"{f.function}: {f.evidence}" for f in shipped.values() if not CITES_SOURCE.search(f.evidence)]
    assert not uncited, "rows without kernel-source evidence:\n" + "\n".join(uncited[:20])


def test_well_known_functions(shipped):
    k = Knowledge(shipped)
    for name in ("kmalloc", "kzalloc", "kcalloc", "devm_kzalloc", "kmemdup", "bsearch", "nla_nest_start_noflag",
                 "alloc_skb", "usb_alloc_urb", "dma_alloc_coherent"):
        assert k.may_return_null(name) is not None, name
        assert shipped[name].returns == "null", name
    for name in ("memdup_user", "strndup_user", "devm_ioremap_resource", "devm_platform_ioremap_resource",
                 "kthread_create", "kthread_run", "class_create"):
        assert shipped[name].returns == "err_ptr", name
    assert shipped["skip_spaces"].returns == "never_null"
    assert shipped["kmem_cache_create"].returns == "null"


def test_low_convention_functions_are_not_confident(shipped):
    k = Knowledge(shipped)
    for name in ("rb_next", "rb_first", "strsep", "of_device_get_match_data", "btf_type_by_id", "irq_to_desc",
                 "page_address", "sg_next"):
        assert name in shipped, name
        assert k.may_return_null(name) is None, (name, shipped[name])


def test_dereference_convention(shipped):
    """platform_get_resource() is often handed straight to devm_ioremap_resource(), which checks it;
    callers that dereference it test it first."""
    f = shipped["platform_get_resource"]
    assert f.checked < CONFIDENT_SHARE <= f.checked_before_deref


def test_hand_facts_kept_or_widened(shipped):
    hand = parse_facts(read_data("data/null_returning.tsv"))
    for name, h in hand.items():
        assert name in shipped, name
        assert shipped[name].returns in (h.returns, "null_or_err_ptr"), (name, h.returns, shipped[name])


def test_static_functions_apply_to_their_file():
    f = ReturnFact("get_node", "null", 1.0, 9, "body: `return NULL` (drivers/foo/nodes.c:3)",
                   file="drivers/foo/nodes.c,drivers/bar/nodes.c")
    assert f.applies_to("drivers/foo/nodes.c") and f.applies_to("drivers/bar/nodes.c")
    assert not f.applies_to("drivers/baz/nodes.c")
    assert ReturnFact("kmalloc", "null", 1.0, 9, "").applies_to("anything.c")


def test_file_is_compact_and_read_lazily():
    assert len(read_data(knowledge.BUILTIN)) < 1_000_000
    facts = knowledge._LazyFacts(lambda: read_data(knowledge.BUILTIN))
    assert facts.get("kzalloc").returns == "null" and facts.get("no_such_function") is None
    assert [n for n, f in facts._parsed.items() if f] == ["kzalloc"]   # parsed when asked for, not before


def test_builtin_is_the_shipped_file(shipped):
    assert builtin().facts.get("kzalloc") == shipped["kzalloc"]


def test_configured_extra_functions(tmp_path):
    source = (
        "// SPDX-License-Identifier: GPL-2.0\n"
        "static int foo_show(struct foo_priv *priv, int id)\n"
        "{\n"
        "\tstruct foo_entry *e;\n"
        "\n"
        "\te = foo_lookup(priv, id);\n"
        "\treturn e->value;\n"
        "}\n"
    )
    patch = tmp_path / "foo.patch"
    patch.write_bytes(wrap_new_file("drivers/misc/foo.c", source))
    args = ("check", "--no-tree", "--select", "unchecked-null-return", "--format", "gcc", str(patch))
    run = run_cli(*args, "--no-config")
    assert run.status == 0 and not run.out, run.out
    config = tmp_path / "reviewbot.toml"
    config.write_text('[rules.unchecked-null-return]\nextra-functions = ["foo_lookup"]\n')
    run = run_cli(*args, "--config", str(config))
    assert run.status == 1, run.err
    assert "foo.c:7:" in run.out and "foo_lookup()" in run.out and "`e` may be NULL" in run.out
