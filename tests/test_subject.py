"""reviewbot.subject: reading `[RFC PATCH net-next v2 1/3] title` the way b4 does."""

from __future__ import annotations

import csv

import pytest

from reviewbot.subject import parse_subject
from conftest import CORPUS, require_shared

# subject, is_patch, version, number, total, tags, title
CASES = [
    ("[PATCH] foo: bar", True, 1, None, None, (), "foo: bar"),
    ("[PATCH v2 2/7] foo: bar", True, 2, 2, 7, (), "foo: bar"),
    ("[PATCHv2] foo: bar", True, 2, None, None, (), "foo: bar"),
    ("[PATCH V2 2/2] kernel/bpf/verifier: x", True, 2, 2, 2, (), "kernel/bpf/verifier: x"),
    ("[RFC PATCH net-next 1/3] net: x", True, 1, 1, 3, ("RFC", "net-next"), "net: x"),
    ("[PATCH][next] openvswitch: x", True, 1, None, None, ("next",), "openvswitch: x"),
    ("[RFC][PATCH] mm: x", True, 1, None, None, ("RFC",), "mm: x"),
    ("[PATCH RESEND v3 1/2] x", True, 3, 1, 2, ("RESEND",), "x"),
    ("[RESEND PATCH] x", True, 1, None, None, ("RESEND",), "x"),
    ("[PATCH resend] x", True, 1, None, None, ("RESEND",), "x"),
    ("[PATCH 01/10] x", True, 1, 1, 10, (), "x"),
    ("[PATCH v10 10/12] x", True, 10, 10, 12, (), "x"),
    ("[PATCH 2/7 v2] x", True, 2, 2, 7, (), "x"),
    ("[PATCH,v2] x", True, 2, None, None, (), "x"),
    ("[patch v3] x", True, 3, None, None, (), "x"),
    ("[RFC PATCHv3 2/4] x", True, 3, 2, 4, ("RFC",), "x"),
    ("[RFCv2 PATCH] x", True, 2, None, None, ("RFC",), "x"),
    ("[PATCH -next] ASoC: x", True, 1, None, None, ("-next",), "ASoC: x"),
    ("[PATCH] [net-next] x", True, 1, None, None, ("net-next",), "x"),
    ("  [PATCH]  x  ", True, 1, None, None, (), "x"),
    ("[PATCH v2 2/7] foo [bar] baz", True, 2, 2, 7, (), "foo [bar] baz"),
    ("[PATCH] RFC: not a tag", True, 1, None, None, (), "RFC: not a tag"),
    ("[GIT PULL] x", False, 1, None, None, ("GIT", "PULL"), "x"),
    ("foo: bar", False, 1, None, None, (), "foo: bar"),
    ("", False, 1, None, None, (), ""),
]


@pytest.mark.parametrize("subject,is_patch,version,number,total,tags,title", CASES)
def test_prefix_fields(subject, is_patch, version, number, total, tags, title):
    prefix, got_title = parse_subject(subject)
    assert (prefix.is_patch, prefix.version, prefix.number, prefix.total, prefix.tags) == (
        is_patch, version, number, total, tags)
    assert got_title == title
    assert not prefix.is_reply


def test_patchv2_reads_like_patch_space_v2():
    assert parse_subject("[PATCHv2 1/3] x") == parse_subject("[PATCH v2 1/3] x")


@pytest.mark.parametrize("subject", [
    "[PATCH 0/5] cover", "[PATCH v2 0/3] series", "[RFC PATCH v2 0/4] x", "[PATCH 00/12] x",
])
def test_cover_letter_is_number_zero(subject):
    prefix, _ = parse_subject(subject)
    assert prefix.is_cover_letter
    assert prefix.number == 0 and prefix.total is not None and prefix.total > 0


@pytest.mark.parametrize("subject", ["[PATCH 1/5] x", "[PATCH] x", "[PATCH v2 3/3] x"])
def test_numbered_or_single_patch_is_not_a_cover_letter(subject):
    assert not parse_subject(subject)[0].is_cover_letter


@pytest.mark.parametrize("subject", [
    "Re: [PATCH] x", "RE:[PATCH v2 1/2] x", "re: [PATCH 0/3] x", "Re: Re: [PATCH] x",
    "AW: [PATCH] x", "Aw: x", "Sv: [PATCH] x",
])
def test_reply_is_a_reply_not_a_patch(subject):
    prefix, title = parse_subject(subject)
    assert prefix.is_reply
    assert not prefix.is_patch
    assert not prefix.is_cover_letter   # a reply to a cover letter is a reply, not a cover letter
    assert title == subject


def test_patch_whose_title_starts_with_re_is_not_a_reply():
    prefix, title = parse_subject("[PATCH] Re: revert the revert")
    assert prefix.is_patch and not prefix.is_reply
    assert title == "Re: revert the revert"


def test_forward_is_not_a_reply():
    assert not parse_subject("Fwd: [PATCH] x")[0].is_reply


def test_corpus_subjects_with_counters_parse_to_the_numbers_written():
    """Every `n/m` counter in the corpus subjects comes out as (n, m), and every PATCH word as is_patch."""
    require_shared()
    import re
    with open(CORPUS / "INDEX.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    checked = 0
    for row in rows:
        subject = row["subject"]
        m = re.match(r"^\[([^\]]*)\]", subject)
        if not m:
            continue
        words = m.group(1).replace(",", " ").split()
        counters = [w for w in words if re.fullmatch(r"\d+/\d+", w)]
        prefix, title = parse_subject(subject)
        if counters:
            n, total = map(int, counters[0].split("/"))
            assert (prefix.number, prefix.total) == (n, total), subject
            checked += 1
        if any(w.upper() == "PATCH" for w in words):
            assert prefix.is_patch, subject
        assert "[" + m.group(1) + "]" not in title
    assert checked > 100
