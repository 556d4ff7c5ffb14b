#!/usr/bin/env python3
"""evidence_stream.py: reads an evidence device once, start to end, and
computes from that one stream the SHA-256 of the whole device and of every
file whose blocks a walk of its mounted file system mapped.

Usage: evidence_stream.py SOURCE --plans DIR [--chunk-mib N] [--buffer-mib N]

SOURCE (the evidence block device or image file) is read in large
sequential reads with O_DIRECT: the reads bypass the page cache, which on
the forensic host costs more CPU than the hashing, and leave the cache to
the file-system metadata the Sleuth Kit and the mounts read. One thread
hashes the device; each plan gets a thread that hashes its files from the
same buffers.

Plans arrive while the stream runs. disk-forensics.sh's walk of each
mounted file system writes DIR/<name>.plan (by rename, so it appears
whole): one line per file, "index TAB size TAB runs", runs being
"physical:length:logical" triples separated by commas (physical is the
byte offset on SOURCE, logical the offset in the file, in ascending order
of both). Once it has started the walks, disk-forensics.sh writes
DIR/EXPECT, the names of the plans to come, one per line, and for a walk
that failed, DIR/<name>.failed instead of its plan. Until every expected
plan is in, every chunk read is kept in memory, so that a plan that comes
late still finds its files' bytes and nothing is read twice; when the kept
chunks reach --buffer-mib the stream waits for the plans.

Output: the device's SHA-256 on stdout, then the moment the stream ended
(UTC, as 2006-01-02T15:04:05Z), and for each plan
DIR/<name>.plan.sha256 with a line per file: "index TAB sha256", or
"index TAB - TAB reason" when a file's runs do not fit the device; a plan
that cannot be read gets DIR/<name>.plan.error instead.
Exit status: 0, 1 when SOURCE cannot be read (no plan output is written),
2 usage.
"""

import argparse
import hashlib
import mmap
import os
import sys
import threading
import time

# Holes in a file (and unwritten extents, which the walk leaves out) read
# as zeros.
ZEROS = memoryview(bytes(1 << 20))

# How often the stream looks for new plans, in seconds.
POLL_SECONDS = 0.02

# The most --buffer-mib defaults to: a quarter of the available memory, at
# most this. Each chunk kept is fresh memory, whose page faults cost CPU.
DEFAULT_BUFFER_BYTES = 1 << 30


def available_memory():
    """MemAvailable from /proc/meminfo, in bytes (0 when unknown)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def feed_zeros(h, n):
    while n > 0:
        k = min(n, len(ZEROS))
        h.update(ZEROS[:k])
        n -= k


class PlanError(Exception):
    pass


class FileState:
    """One planned file: its runs, and its hash while they stream by."""

    __slots__ = ("index", "size", "runs", "next", "pos", "hash")

    def __init__(self, index, size, runs):
        self.index, self.size, self.runs = index, size, runs
        self.next = 0  # the next run to feed
        self.pos = 0  # bytes of the file fed so far
        self.hash = None

    def digest(self):
        if self.hash is None:
            self.hash = hashlib.sha256()
        feed_zeros(self.hash, self.size - self.pos)
        return self.hash.hexdigest()


def parse_plan(path, device_size):
    """The files of a plan, and the lines of those whose runs are unusable
    (index, reason). A plan that is not made of plan lines is refused
    whole (PlanError)."""
    files, bad = [], []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                fields = raw.decode("ascii").rstrip("\n").split("\t")
                if len(fields) != 3:
                    raise ValueError()
                index, size = int(fields[0]), int(fields[1])
                runs = [tuple(int(x) for x in run.split(":")) for run in fields[2].split(",") if run]
                if any(len(r) != 3 for r in runs):
                    raise ValueError()
            except ValueError:  # UnicodeDecodeError too
                raise PlanError("%s line %d: not a plan line" % (path, n)) from None
            reason = unusable(runs, size, device_size)
            if reason:
                bad.append((index, reason))
            else:
                files.append(FileState(index, size, runs))
    return files, bad


def unusable(runs, size, device_size):
    """Why a file's runs cannot be fed, or None: each must be inside the
    device and the file, and follow the one before it on both."""
    end_physical = end_logical = 0
    for physical, length, logical in runs:
        if length <= 0 or physical < end_physical or logical < end_logical:
            return "runs out of order"
        if physical + length > device_size:
            return "a run ends past the device"
        if logical + length > size:
            return "a run ends past the file"
        end_physical, end_logical = physical + length, logical + length
    return None


class Chunk:
    __slots__ = ("offset", "buf", "length")

    def __init__(self, offset, buf, length):
        self.offset, self.buf, self.length = offset, buf, length


class Feeder:
    """A plan's feeder: the chunks before position it no longer needs."""

    __slots__ = ("position",)

    def __init__(self):
        self.position = 0


class Stream:
    """The shared state of the reader, the device hasher and the plan
    feeders, guarded by one condition. Each runs on its own thread; any
    exception in one fails the stream, so that no other waits for it."""

    def __init__(self, fd, size, chunk_bytes, buffers):
        self.fd, self.size, self.chunk_bytes = fd, size, chunk_bytes
        self.cond = threading.Condition()
        self.free = []
        self.buffers = buffers
        self.allocated = 0
        self.chunks = {}  # chunk number -> Chunk, while kept
        self.read = 0  # chunks read
        self.done_reading = False
        self.error = None
        self.hashed = 0  # chunks the device hash has taken
        self.device_hash = hashlib.sha256()
        self.end = False  # every expected plan is in
        self.feeders = []  # one Feeder per plan

    def start(self, target, *args):
        """Run target on a thread of its own; an exception fails the stream."""
        def run():
            try:
                target(*args)
            except Exception as err:  # noqa: BLE001: whatever it is, nobody may wait for this thread
                self.fail("%s: %s: %s" % (target.__name__, type(err).__name__, err))
        t = threading.Thread(target=run, daemon=True)
        t.start()
        return t

    def add_feeder(self, files, results):
        """Start hashing a plan's files from the chunks, the kept ones
        first."""
        f = Feeder()
        with self.cond:
            self.feeders.append(f)
        return self.start(self.feeder, files, results, f)

    def all_plans_in(self):
        """No plan will come any more: the chunks every feeder has passed
        can go."""
        with self.cond:
            self.end = True
            self.release()

    def fail(self, message):
        with self.cond:
            if self.error is None:
                self.error = message
            self.cond.notify_all()

    def take_buffer(self):
        """A free chunk buffer, or None when the limit is reached. Called
        with the condition held."""
        if self.free:
            return self.free.pop()
        if self.allocated < self.buffers:
            self.allocated += 1
            # Private: a shared anonymous map is shmem, slower to fault in.
            return mmap.mmap(-1, self.chunk_bytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        return None

    def release(self):
        """Give back the chunks nobody needs any more: hashed, and, once
        every plan is in, passed by every feeder. Called with the condition
        held."""
        if not self.end:
            return
        low = min([self.hashed] + [f.position for f in self.feeders])
        for k in [k for k in self.chunks if k < low]:
            self.free.append(self.chunks.pop(k).buf)
        self.cond.notify_all()

    def reader(self):
        offset = 0
        try:
            while offset < self.size:
                with self.cond:
                    buf = self.take_buffer()
                    while buf is None and self.error is None:
                        self.cond.wait()
                        buf = self.take_buffer()
                    if self.error is not None:
                        return
                n = os.preadv(self.fd, [buf], offset)
                if n <= 0:
                    raise OSError("read returned nothing at byte %d of %d" % (offset, self.size))
                with self.cond:
                    self.chunks[self.read] = Chunk(offset, buf, n)
                    self.read += 1
                    self.cond.notify_all()
                offset += n
        except OSError as err:
            self.fail("cannot read the device at byte %d: %s" % (offset, err))
        finally:
            with self.cond:
                self.done_reading = True
                self.cond.notify_all()

    def chunk(self, k):
        """Chunk k once it is read, or None at the end of the stream or on
        an error."""
        with self.cond:
            while k >= self.read and not self.done_reading and self.error is None:
                self.cond.wait()
            if self.error is not None or k >= self.read:
                return None
            return self.chunks[k]

    def hasher(self):
        k = 0
        while True:
            c = self.chunk(k)
            if c is None:
                return
            self.device_hash.update(memoryview(c.buf)[:c.length])
            k += 1
            with self.cond:
                self.hashed = k
                self.release()

    def feeder(self, files, results, me):
        """Feed each file's runs from the chunks, in device order."""
        runs = sorted(((r[0], f) for f in files for r in f.runs), key=lambda x: x[0])
        for f in files:
            if not f.runs:
                results.append((f.index, f.digest()))
        active = []  # files with a run begun in an earlier chunk
        i, k = 0, 0
        while i < len(runs) or active:
            c = self.chunk(k)
            if c is None:
                return
            view = memoryview(c.buf)
            start, end = c.offset, c.offset + c.length
            still = []
            for f in active:
                if self._feed(f, view, start, end, results):
                    still.append(f)
            while i < len(runs) and runs[i][0] < end:
                f = runs[i][1]
                i += 1
                if self._feed(f, view, start, end, results):
                    still.append(f)
            active = still
            k += 1
            with self.cond:
                me.position = k
                self.release()
        # Every file is done: this plan holds no chunk back any more.
        with self.cond:
            me.position = float("inf")
            self.release()

    @staticmethod
    def _feed(f, view, start, end, results):
        """Feed f's current run with the part of it in [start, end). True
        when the run goes on past end."""
        physical, length, logical = f.runs[f.next]
        a, b = max(physical, start), min(physical + length, end)
        if f.hash is None:
            f.hash = hashlib.sha256()
        want = logical + (a - physical)
        if f.pos < want:
            feed_zeros(f.hash, want - f.pos)
            f.pos = want
        f.hash.update(view[a - start:b - start])
        f.pos += b - a
        if physical + length > end:
            return True
        f.next += 1
        if f.next == len(f.runs):
            results.append((f.index, f.digest()))
            f.hash = None
        return False


def expected(folder):
    """The plan names DIR/EXPECT lists."""
    with open(os.path.join(folder, "EXPECT"), encoding="ascii") as f:
        return {line.strip() for line in f if line.strip()}


def device_size(fd):
    return os.lseek(fd, 0, os.SEEK_END)


def open_source(path):
    """SOURCE read-only, with O_DIRECT where the file system allows it."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags | os.O_DIRECT), True
    except OSError:
        return os.open(path, flags), False


def refuse(path, reason):
    """Say why a plan was refused. Its files get no hash either way, so a
    failure to say it is only logged."""
    try:
        with open(path, "w", encoding="utf-8") as out:
            out.write(reason + "\n")
    except OSError as err:
        print("evidence_stream: %s (cannot write %s: %s)" % (reason, path, err.strerror), file=sys.stderr)


def write_results(path, results, bad):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as out:
        for index, digest in sorted(results):
            out.write("%d\t%s\n" % (index, digest))
        for index, reason in sorted(bad):
            out.write("%d\t-\t%s\n" % (index, reason))
    os.rename(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source")
    p.add_argument("--plans", required=True, help="folder the walks write their plans into")
    p.add_argument("--chunk-mib", type=int, default=16, help="size of each read, MiB (1 to 256)")
    p.add_argument("--buffer-mib", type=int, default=0,
                   help="chunks kept until every plan is in, MiB (0: a quarter of the available memory, "
                        "at most %d)" % (DEFAULT_BUFFER_BYTES >> 20))
    a = p.parse_args()
    if not 1 <= a.chunk_mib <= 256:
        p.error("--chunk-mib must be 1 to 256")
    if a.buffer_mib < 0:
        p.error("--buffer-mib must be 0 or more")
    chunk = a.chunk_mib << 20
    budget = (a.buffer_mib << 20) or min(DEFAULT_BUFFER_BYTES, available_memory() // 4)
    # The device hash and a feeder each hold a chunk while the reader fills
    # the next: at least four buffers.
    buffers = max(4, budget // chunk)

    try:
        fd, direct = open_source(a.source)
        size = device_size(fd)
    except OSError as err:
        print("evidence_stream: cannot open %s: %s" % (a.source, err.strerror), file=sys.stderr)
        return 1
    s = Stream(fd, size, chunk, buffers)
    threads = [s.start(s.reader), s.start(s.hasher)]

    # Take each plan as it appears, until every expected one is in.
    plans = {}  # name -> (files' results, unusable lines, thread)
    settled = set()  # plans refused as unreadable, or whose walk failed
    try:
        while True:
            names = set(os.listdir(a.plans))
            for name in sorted(names):
                if not name.endswith(".plan"):
                    continue
                plan = name[:-len(".plan")]
                if plan in plans or plan in settled:
                    continue
                try:
                    files, bad = parse_plan(os.path.join(a.plans, name), size)
                except (OSError, PlanError) as err:
                    settled.add(plan)
                    refuse(os.path.join(a.plans, name + ".error"), "unusable plan: %s" % err)
                    continue
                results = []
                plans[plan] = (results, bad, s.add_feeder(files, results))
            settled |= {n[:-len(".failed")] for n in names if n.endswith(".failed")}
            if "EXPECT" in names and expected(a.plans) <= set(plans) | settled:
                s.all_plans_in()
                break
            with s.cond:
                if s.error is not None:
                    break
                s.cond.wait(POLL_SECONDS)
    except OSError as err:
        s.fail("cannot read the plans in %s: %s" % (a.plans, err.strerror))

    for t in threads + [thread for _, _, thread in plans.values()]:
        t.join()
    if s.error is not None:
        print("evidence_stream: %s" % s.error, file=sys.stderr)
        return 1
    for name, (results, bad, _) in plans.items():
        write_results(os.path.join(a.plans, name + ".plan.sha256"), results, bad)
    print(s.device_hash.hexdigest())
    print(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    print("evidence_stream: %d bytes in %d MiB reads%s, %d plan(s)" % (
        size, a.chunk_mib, " (O_DIRECT)" if direct else "", len(plans)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
