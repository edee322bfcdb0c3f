"""Where the service reads new mail: a public-inbox archive, a maildir, a growing mbox, lore's
search.  Each source streams: one message in memory at a time, whatever the archive's size.

A source has a cursor (a short JSON text the service stores): `head()` gives the cursor
for "now" (a first run starts there), `read(cursor)` yields each message after it as an
`Item` carrying the cursor to store once that message is handled (`cursor=None` reads from
the very beginning).  Cursors are hints: a message may come again (a rewritten archive, a
file moved in a maildir), and the service knows messages by their Message-ID.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import zlib
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from reviewbot.errors import InputError
from reviewbot.ingest import _FROM_LINE, RawMessage, split_mbox
from reviewbot.model import Origin
from reviewbot.watch.config import SourceSettings

MAX_MESSAGE = 64 << 20
MAILDIR_MARGIN = 5.0            # seconds: files whose ctime is this close to the cursor are read again
LORE_OVERLAP = 600              # seconds of `rt:` overlap between two searches
LORE_BACKFILL = 14 * 86400      # how far back --backfill searches lore


class SourceError(InputError):
    """A source that cannot be read now (the poll records it and tries again next time)."""


class Item(NamedTuple):
    raw: RawMessage | None      # None: nothing to handle, only the cursor moves (a deletion)
    cursor: str


def open_source(settings: SourceSettings, label: str):
    kind = {"public-inbox": PublicInbox, "maildir": Maildir, "mbox": Mbox, "lore": Lore}[settings.type]
    return kind(settings, label)


# --- public-inbox v2 ---------------------------------------------------------------------------


def _git(gitdir: Path, *args: str, check: bool = True) -> str:
    r = subprocess.run(["git", f"--git-dir={gitdir}", *args], capture_output=True,
                       env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    if check and r.returncode != 0:
        first = (r.stderr.decode(errors="replace").strip().splitlines() or [f"exit status {r.returncode}"])[0]
        raise SourceError(f"{gitdir}: git {args[0]}: {first}")
    return r.stdout.decode(errors="replace").strip() if r.returncode == 0 else ""


class _CatFile:
    """`git cat-file --batch`: blobs by name, one at a time, from one long-lived process."""

    def __init__(self, gitdir: Path) -> None:
        self.proc = subprocess.Popen(["git", f"--git-dir={gitdir}", "cat-file", "--batch"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def blob(self, name: str) -> bytes | None:
        self.proc.stdin.write(name.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline()
        parts = header.split()
        if len(parts) != 3:            # "<name> missing" (a deletion commit has no `m`)
            if not header:
                raise SourceError(f"git cat-file ended early (asked for {name})")
            return None
        size = int(parts[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)       # the newline after each object
        return data if parts[1] == b"blob" else None

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.kill()
        self.proc.wait()


class PublicInbox:
    """A public-inbox v2 archive: `PATH/git/0.git`, `1.git` ... each with one message per commit
    on `master` (the file `m`).  The cursor is the last commit read in each epoch."""

    REF = "refs/heads/master"

    def __init__(self, settings: SourceSettings, label: str) -> None:
        self.root = Path(settings.path)
        self.remote = settings.remote
        self.label = label

    def epochs(self) -> list[tuple[int, Path]]:
        gitroot = self.root / "git"
        if not gitroot.is_dir():
            raise SourceError(f"{self.root}: not a public-inbox v2 archive (no git/ directory)")
        found = []
        for entry in gitroot.iterdir():
            m = re.fullmatch(r"(\d+)\.git", entry.name)
            if m and entry.is_dir():
                found.append((int(m.group(1)), entry))
        return sorted(found)

    def _tip(self, gitdir: Path) -> str | None:
        return _git(gitdir, "rev-parse", "--verify", "--quiet", f"{self.REF}^{{commit}}", check=False) or None

    def _remote_url(self, epoch: int) -> str:
        return self.remote.replace("{epoch}", str(epoch)) if "{epoch}" in self.remote else f"{self.remote}/{epoch}"

    def fetch(self) -> None:
        """`git fetch` each epoch from the remote, and take a new epoch when the remote has one."""
        if not self.remote:
            return
        epochs = self.epochs()
        for n, gitdir in epochs:
            _git(gitdir, "fetch", "--quiet", "--no-tags", self._remote_url(n), f"+{self.REF}:{self.REF}")
        n = epochs[-1][0] + 1 if epochs else 0
        url = self._remote_url(n)
        probe = subprocess.run(["git", "ls-remote", "--exit-code", url, self.REF], capture_output=True,
                               env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
        if probe.returncode == 0:
            gitdir = self.root / "git" / f"{n}.git"
            subprocess.run(["git", "init", "--quiet", "--bare", str(gitdir)], check=True, capture_output=True)
            _git(gitdir, "fetch", "--quiet", "--no-tags", url, f"+{self.REF}:{self.REF}")

    @staticmethod
    def _has_commit(gitdir: Path, sha: str) -> bool:
        return subprocess.run(["git", f"--git-dir={gitdir}", "cat-file", "-e", f"{sha}^{{commit}}"],
                              capture_output=True).returncode == 0

    def head(self) -> str:
        return json.dumps({str(n): tip for n, gitdir in self.epochs() if (tip := self._tip(gitdir))},
                          sort_keys=True)

    def read(self, cursor: str | None) -> Iterator[Item]:
        done = json.loads(cursor) if cursor else {}
        for n, gitdir in self.epochs():
            tip = self._tip(gitdir)
            last = done.get(str(n))
            if tip is None or tip == last:
                continue
            spec = [tip]
            if last and self._has_commit(gitdir, last):
                spec.append(f"^{last}")     # else (history rewritten and pruned): the whole epoch again
            yield from self._read_epoch(n, gitdir, spec, done)

    def _read_epoch(self, n: int, gitdir: Path, spec: list[str], done: dict) -> Iterator[Item]:
        revs = subprocess.Popen(["git", f"--git-dir={gitdir}", "rev-list", "--reverse", *spec],
                                stdout=subprocess.PIPE)
        cat = _CatFile(gitdir)
        try:
            for line in revs.stdout:
                sha = line.strip().decode()
                data = cat.blob(f"{sha}:m")
                done[str(n)] = sha
                cursor = json.dumps(done, sort_keys=True)
                if data is None:
                    yield Item(None, cursor)
                else:
                    yield Item(RawMessage(Origin(f"{self.label}:{n}:{sha[:12]}"), data), cursor)
        finally:
            cat.close()
            revs.kill()
            revs.wait()


# --- maildir ---------------------------------------------------------------------------------------


class Maildir:
    """A maildir's `new/` and `cur/`, by the time each file arrived there (its ctime: a rename
    into `new/` sets it).  Files within a few seconds below the cursor are looked at again (a
    delivery may land with a slightly older ctime), except those it names as already read."""

    def __init__(self, settings: SourceSettings, label: str) -> None:
        self.root = Path(settings.path)
        self.label = label

    def _files(self) -> Iterator[tuple[float, str, Path]]:
        if not (self.root / "new").is_dir() or not (self.root / "cur").is_dir():
            raise SourceError(f"{self.root}: not a maildir (no new/ and cur/)")
        for sub in ("new", "cur"):
            with os.scandir(self.root / sub) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    try:
                        st = entry.stat()
                    except FileNotFoundError:    # moved between listing and stat
                        continue
                    if entry.is_file():
                        yield st.st_ctime, entry.name.split(":", 1)[0], Path(entry.path)

    @staticmethod
    def _cursor(files: list[tuple[float, str]], high: float) -> str:
        """The newest ctime, and the names read within the margin below it (not to be read again)."""
        return json.dumps({"ctime": high, "names": sorted({n for c, n in files if c >= high - MAILDIR_MARGIN})})

    def head(self) -> str:
        files = [(c, n) for c, n, _ in self._files()]
        return self._cursor(files, max((c for c, _ in files), default=time.time()))

    def read(self, cursor: str | None) -> Iterator[Item]:
        c = json.loads(cursor) if cursor else {"ctime": float("-inf"), "names": []}
        high, done = c["ctime"], set(c.get("names", ()))
        recent = [(high, n) for n in done]
        for ctime, name, path in sorted(f for f in self._files() if f[0] >= high - MAILDIR_MARGIN):
            if name in done:
                continue
            try:
                data = path.read_bytes() if path.stat().st_size <= MAX_MESSAGE else None
            except FileNotFoundError:
                try:   # an MUA moved it from new/ to cur/ (and renamed it with flags) meanwhile
                    path = next(p for p in (self.root / "cur").glob(f"{name}*"))
                    data = path.read_bytes()
                except (StopIteration, OSError):
                    continue
            high = max(high, ctime)
            recent.append((ctime, name))
            yield Item(RawMessage(Origin(f"{self.label}:{path.parent.name}/{path.name}"), data)
                       if data is not None else None, self._cursor(recent, high))


# --- mbox (a file that grows) -----------------------------------------------------------------------


def mbox_messages(lines: Iterable[bytes], label: str, start: int = 0) -> Iterator[tuple[RawMessage, int]]:
    """Messages of an mbox read line by line, each with the offset just after it.  The last one
    is yielded only when the data ends with a newline (else it may still be being written)."""
    pending: list[bytes] = []
    size = 0
    offset = start
    ended_cleanly = True
    for line in lines:
        if line.startswith(b"From ") and _FROM_LINE.match(line):
            if pending:
                yield from _mbox_one(pending, label, offset)
            pending, size = [line], len(line)
        elif pending and size <= MAX_MESSAGE:
            pending.append(line)
            size += len(line)
        elif pending:
            size += len(line)     # an oversized message: counted, not kept
        offset += len(line)
        ended_cleanly = line.endswith(b"\n")
    if pending and ended_cleanly:
        yield from _mbox_one(pending, label, offset)


def _mbox_one(lines: list[bytes], label: str, end: int) -> Iterator[tuple[RawMessage, int]]:
    for raw in split_mbox(b"".join(lines), label):
        yield raw._replace(origin=Origin(f"{label}@{end - sum(map(len, lines))}")), end


class Mbox:
    """An mbox file that grows at the end.  The cursor is the offset after the last message read
    (and the file's inode: a replaced or truncated file is read from the start again).  A poll
    reads up to where the file ended while it held a shared lock (`fcntl`; delivery agents lock
    it to append), and a last message without its final newline waits for the next poll."""

    def __init__(self, settings: SourceSettings, label: str) -> None:
        self.path = Path(settings.path)
        self.label = label

    def _stat(self):
        try:
            return self.path.stat()
        except OSError as e:
            raise SourceError(f"{self.path}: {e.strerror or e}") from None

    def head(self) -> str:
        st = self._stat()
        end = 0
        with open(self.path, "rb") as f:      # after the last complete message, not a half-written one
            for _, end in mbox_messages(f, self.label):
                pass
        return json.dumps({"offset": end, "ino": st.st_ino})

    def read(self, cursor: str | None) -> Iterator[Item]:
        import fcntl

        st = self._stat()
        c = json.loads(cursor) if cursor else {}
        offset = c.get("offset", 0)
        if c.get("ino") != st.st_ino or st.st_size < offset:
            offset = 0
        with open(self.path, "rb") as f:
            for attempt in range(50):     # held only to learn where the complete messages end
                try:
                    fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise SourceError(f"{self.path}: locked by another process; trying again next poll")
            try:
                limit = os.fstat(f.fileno()).st_size
            finally:
                fcntl.lockf(f, fcntl.LOCK_UN)
            f.seek(offset)
            for raw, end in mbox_messages(_upto(f, limit - offset), self.label, offset):
                yield Item(raw, json.dumps({"offset": end, "ino": st.st_ino}))


def _upto(lines: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The lines of a file up to `size` bytes (what was there when the file was locked)."""
    for line in lines:
        if size <= 0:
            return
        if len(line) > size:
            yield line[:size]
            return
        size -= len(line)
        yield line


# --- lore's search ----------------------------------------------------------------------------------


class Lore:
    """lore.kernel.org's search: `POST <url>/<list>/?q=rt:START..&x=m`, a gzip mbox of what
    arrived since START (404 when nothing did).  The cursor is the start of the last search;
    searches overlap by ten minutes and the Message-ID keeps messages from counting twice."""

    def __init__(self, settings: SourceSettings, label: str, now=time.time) -> None:
        self.url = f"{settings.url}/{settings.list}/"
        self.label = label
        self.now = now

    def head(self) -> str:
        return json.dumps({"rt": int(self.now())})

    def read(self, cursor: str | None) -> Iterator[Item]:
        from reviewbot.deliver.http import request, session

        started = int(self.now())
        since = json.loads(cursor)["rt"] - LORE_OVERLAP if cursor else started - LORE_BACKFILL
        done = json.dumps({"rt": started})
        response = request(session(), "POST", self.url, params={"q": f"rt:{max(0, since)}..", "x": "m"},
                           stream=True)
        if response.status_code == 404:
            yield Item(None, done)
            return
        if response.status_code != 200:
            raise SourceError(f"POST {self.url}: HTTP {response.status_code}")
        try:
            for raw, _ in mbox_messages(_lines(_gunzipped(response.iter_content(1 << 16))), self.label):
                yield Item(raw, cursor or json.dumps({"rt": since + LORE_OVERLAP}))
        except (OSError, zlib.error) as e:
            raise SourceError(f"POST {self.url}: not a gzip mbox ({e})") from None
        finally:
            response.close()
        yield Item(None, done)


def _gunzipped(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks of a body, decompressed when it is gzip (lore sends `application/gzip`)."""
    inflate = None
    for chunk in chunks:
        if inflate is None:
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if chunk[:2] == b"\x1f\x8b" else False
        yield inflate.decompress(chunk) if inflate else chunk
    if inflate:
        yield inflate.flush()


def _lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        pending += chunk
        if b"\n" in pending:
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line + b"\n"
    if pending:
        yield pending
