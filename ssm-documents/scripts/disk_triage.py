#!/usr/bin/env python3
"""disk_triage.py: the data side of disk-forensics.sh.

It never opens an evidence device: it reads a Sleuth Kit bodyfile, walks a
file system that disk-forensics.sh mounted read-only, and reads artifacts
that were already copied out. Output is JSON Lines (or TSV for the shell).

Subcommands:
  walk ROOT --max-hash-bytes N [--workers N] [--plan FILE --offset BYTES]
                                      inventory of regular files, with SHA-256
                                      (with --plan, the files whose blocks it
                                      can map are left to evidence_stream.py)
  merge-hashes INVENTORY [--hashes FILE] --missing-reason TEXT [--root ROOT]
                                      the stream's file hashes into the inventory
  bodyfile ROOT                       a TSK-style bodyfile of a mounted file system
  bodyfile-inventory BODYFILE         inventory from the bodyfile (no hashes)
  triage BODYFILE --out DIR ...       SUID/SGID and recent executables lists;
                                      prints the artifacts to copy as TSV (or,
                                      with --copy-from ROOT, copies them)
  findings --dir DIR ...              findings from the lists and artifacts
"""

import argparse
import concurrent.futures
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time

STANDARD_EXEC_DIRS = ("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/lib/",
                      "/usr/lib64/", "/usr/libexec/", "/lib/", "/lib64/")
SYSTEM_EXEC_DIRS = STANDARD_EXEC_DIRS + ("/usr/local/bin/", "/usr/local/sbin/", "/etc/")
SHELLS = re.compile(r"^(sh|bash|dash|zsh|ksh|mksh|csh|tcsh|fish|ash|busybox|"
                    r"python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|lua[0-9.]*|env|"
                    r"find|vim?|less|more|nmap|awk|gawk|mawk|socat|nc|ncat|netcat)$")

# Targeted artifacts: allocated regular files whose path matches.
ARTIFACT_PATTERNS = [
    ("logs", r"^/var/log/(auth\.log|secure|syslog|messages|kern\.log|cloud-init\.log|"
             r"cloud-init-output\.log|audit/audit\.log)(\.[0-9]+)?(\.gz)?$"),
    ("logs", r"^/var/log/(wtmp|btmp|lastlog)$"),
    ("shell-history", r"^/(root|home/[^/]+)/\.(bash_history|zsh_history|sh_history|"
                      r"ash_history|python_history|mysql_history|psql_history)$"),
    ("cron", r"^/etc/(crontab|anacrontab)$"),
    ("cron", r"^/etc/cron\.(d|hourly|daily|weekly|monthly)/[^/]+$"),
    ("cron", r"^/var/spool/cron/(crontabs/)?[^/]+$"),
    ("cron", r"^/var/spool/at/[^/]+$"),
    ("systemd", r"^/etc/systemd/(system|user)/([^/]+/)?[^/]+\.(service|timer|socket|path)$"),
    ("systemd", r"^/(root|home/[^/]+)/\.config/systemd/user/[^/]+\.(service|timer)$"),
    ("persistence", r"^/etc/(rc\.local|ld\.so\.preload)$"),
    ("ssh", r"^/(root|home/[^/]+)/\.ssh/authorized_keys2?$"),
    ("ssh", r"^/etc/ssh/sshd_config$"),
    ("accounts", r"^/etc/(passwd|group|sudoers)$"),
    ("accounts", r"^/etc/sudoers\.d/[^/]+$"),
    # Windows (NTFS keeps the case of names but ignores it).
    ("windows-registry", r"(?i)^/Windows/System32/config/(SAM|SECURITY|SOFTWARE|SYSTEM|DEFAULT)$"),
    ("windows-registry", r"(?i)^/Windows/AppCompat/Programs/Amcache\.hve$"),
    ("windows-registry", r"(?i)^/(Users|Documents and Settings)/[^/]+/NTUSER\.DAT$"),
    ("windows-registry", r"(?i)^/Users/[^/]+/AppData/Local/Microsoft/Windows/UsrClass\.dat$"),
    ("windows-eventlog", r"(?i)^/Windows/System32/winevt/Logs/[^/]+\.evtx$"),
    ("windows-tasks", r"(?i)^/Windows/(System32/)?Tasks/.+$"),
    ("windows-startup", r"(?i)^/(ProgramData|Users/[^/]+/AppData/Roaming)/Microsoft/Windows/"
                        r"Start Menu/Programs/Startup/[^/]+$"),
    ("shell-history", r"(?i)^/Users/[^/]+/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/"
                      r"ConsoleHost_history\.txt$"),
]
ARTIFACT_RES = [(kind, re.compile(p)) for kind, p in ARTIFACT_PATTERNS]

# Files are hashed in reads of this size.
HASH_READ_BYTES = 1 << 20

# A registry hive cut short cannot be read, so hives are copied whole up to
# this size, even past --max-artifact-bytes.
MAX_HIVE_BYTES = 1 << 30

# Temporary folders, where nothing should be executable. On NTFS every file
# has the execute bits, so there an executable is known by its extension.
LINUX_TEMP_DIRS = re.compile(r"^/(tmp|var/tmp|dev/shm)/")
WINDOWS_TEMP_DIRS = re.compile(r"(?i)^/(Windows/Temp|Users/[^/]+/AppData/Local/Temp|Users/Public)/")
WINDOWS_EXECUTABLE = re.compile(r"(?i)\.(exe|dll|scr|sys|com|bat|cmd|ps1|vbs|js|jse|hta|msi)$")

SUSPICIOUS = re.compile(
    r"(curl|wget)\s[^|;]*\|\s*(ba|z|da)?sh\b|/dev/(tcp|udp)/|\bnc(at)?\b[^\n]*\s-[a-z]*e\b|\bsocat\b|"
    r"base64\s+(-d|--decode)|python[0-9.]*\s+-c\s|perl\s+-e\s|chmod\s+(u?\+s|[0-7]?[4-7][0-7]{3})\s|"
    r"\bmkfifo\b|\bbash\s+-i\b|xmrig|minerd|stratum\+tcp|/tmp/\.|/dev/shm/|LD_PRELOAD=|"
    r"history\s+-c|unset\s+HISTFILE|HISTFILE=/dev/null|rm\s+-rf\s+/var/log|"
    # Windows: encoded or downloaded PowerShell, living-off-the-land downloads,
    # and programs run from user-writable places.
    r"(?i:-e(nc(odedcommand)?)?\s+[A-Za-z0-9+/=]{16,}|\bIEX\b|Invoke-Expression|DownloadString|"
    r"DownloadFile|Invoke-WebRequest|certutil(\.exe)?\s+-urlcache|bitsadmin(\.exe)?\s+/transfer|"
    r"\\AppData\\|\\Temp\\|\\Users\\Public\\|mshta(\.exe)?\s+http|regsvr32(\.exe)?\s+/s\s+/i:http)")

SAFE_CHAR = re.compile(r"[^A-Za-z0-9._@+-]")


def iso(ts):
    """RFC 3339 UTC time of a Unix timestamp, or None for 0/absent."""
    try:
        ts = float(ts)
    except (TypeError, ValueError):
        return None
    if ts <= 0:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
    except (OverflowError, OSError, ValueError):
        return None


def emit(obj, out=sys.stdout):
    out.write(json.dumps(obj, sort_keys=True) + "\n")


def safe_relpath(path):
    """A storage-safe relative path for an evidence path: every character
    outside [A-Za-z0-9._@+-] becomes '_', and '.'/'..' components become '_'."""
    parts = []
    for comp in path.split("/"):
        if comp == "":
            continue
        comp = SAFE_CHAR.sub("_", comp)
        if comp in (".", ".."):
            comp = "_"
        parts.append(comp[:200])
    return "/".join(parts) or "_"


def printable(s):
    return "".join(c if c.isprintable() and c != "\t" else "?" for c in s)


class Entry:
    """One bodyfile line."""

    __slots__ = ("name", "inode", "mode", "uid", "gid", "size", "atime", "mtime", "ctime", "crtime",
                 "deleted")

    @classmethod
    def parse(cls, line):
        fields = line.rstrip("\n").split("|")
        if len(fields) < 11:
            return None
        e = cls()
        e.name = "|".join(fields[1:-9])
        e.inode, e.mode = fields[-9], fields[-8]
        try:
            e.uid, e.gid, e.size = int(fields[-7]), int(fields[-6]), int(fields[-5])
            e.atime, e.mtime, e.ctime, e.crtime = (int(x) for x in fields[-4:])
        except ValueError:
            return None
        e.deleted = False
        if e.name.endswith(" (deleted)"):
            e.name, e.deleted = e.name[: -len(" (deleted)")], True
        elif e.name.endswith(" (deleted-realloc)"):
            e.name, e.deleted = e.name[: -len(" (deleted-realloc)")], True
        return e

    def is_regular(self):
        # mode_as_string is like "r/rrwxr-xr-x": name type, '/', meta type, permissions.
        return len(self.mode) >= 12 and self.mode[2] == "r" and not self.name.endswith(" ($FILE_NAME)")

    def perms(self):
        return self.mode[3:12] if len(self.mode) >= 12 else "---------"

    def suid(self):
        return self.perms()[2] in "sS"

    def sgid(self):
        return self.perms()[5] in "sS"

    def executable(self):
        p = self.perms()
        return p[2] in "xs" or p[5] in "xs" or p[8] in "xt"

    def ntfs(self):
        # The Sleuth Kit shows every NTFS file as rwxrwxrwx: its execute bits
        # say nothing.
        return self.perms() == "rwxrwxrwx"

    def record(self):
        return {"path": self.name, "inode": self.inode, "mode": self.mode, "uid": self.uid,
                "gid": self.gid, "size": self.size, "atime": iso(self.atime), "mtime": iso(self.mtime),
                "ctime": iso(self.ctime), "crtime": iso(self.crtime), "deleted": self.deleted}


def read_bodyfile(path):
    with open(path, "r", encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            e = Entry.parse(line)
            if e is not None and not e.name.endswith(("/.", "/..")):
                yield e


def hash_file(path, limit, buf):
    """The SHA-256 of a regular file (never following a symbolic link), or
    the reason it was not hashed. buf is the caller's read buffer."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOATIME", 0))
    except OSError as err:
        return None, "unreadable: %s" % err.strerror
    h = hashlib.sha256()
    view = memoryview(buf)
    read = 0
    try:
        while read <= limit:
            n = os.readv(fd, [buf])
            if n == 0:
                break
            h.update(view[:n])
            read += n
    except OSError as err:
        return None, "unreadable: %s" % err.strerror
    finally:
        os.close(fd)
    if read > limit:
        return None, "larger than %d bytes" % limit
    return h.hexdigest(), None


# FIEMAP (linux/fiemap.h): where a file's extents lie on its block device.
FS_IOC_FIEMAP = 0xC020660B
FIEMAP_HEADER = struct.Struct("=QQIIII")
FIEMAP_EXTENT = struct.Struct("=QQQQQI12x")
FIEMAP_BATCH = 64
FIEMAP_EXTENT_LAST = 0x1
FIEMAP_EXTENT_UNWRITTEN = 0x800
# Extents whose bytes are not plainly at their physical offset: unknown or
# delayed location, encoded, encrypted, unaligned, inline or tail-packed.
FIEMAP_EXTENT_NOT_PLAIN = 0x2 | 0x4 | 0x8 | 0x80 | 0x100 | 0x200 | 0x400


SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# What follows the sha256 key in an inventory line: the numeric keys after it.
AFTER_SHA256 = re.compile(r', "size": [0-9]+, "uid": [0-9]+\}\n')


class NoMap(Exception):
    """The file system cannot map files at all (FIEMAP not supported)."""


def device_runs(fd, size, offset, buf):
    """Where the first size bytes of the file open on fd lie on the evidence
    device: [(physical, length, logical)], physical counted from the start
    of the device (offset is where the file system starts). Holes and
    unwritten extents are left out: they read as zeros. None when an extent
    is not plainly on the device or the runs do not ascend on the device as
    they do in the file, so that the file must be read through the mount.
    buf is the caller's FIEMAP buffer."""
    runs = []
    start = 0
    while start < size:
        FIEMAP_HEADER.pack_into(buf, 0, start, size - start, 0, 0, FIEMAP_BATCH, 0)
        try:
            fcntl.ioctl(fd, FS_IOC_FIEMAP, buf)
        except OSError as err:
            if err.errno in (errno.ENOTTY, errno.EOPNOTSUPP):
                raise NoMap() from None
            return None
        mapped = FIEMAP_HEADER.unpack_from(buf, 0)[3]
        if mapped == 0:
            break
        last = False
        for i in range(mapped):
            logical, physical, length, _, _, flags = FIEMAP_EXTENT.unpack_from(
                buf, FIEMAP_HEADER.size + i * FIEMAP_EXTENT.size)
            last = bool(flags & FIEMAP_EXTENT_LAST)
            start = logical + length
            if flags & FIEMAP_EXTENT_NOT_PLAIN:
                return None
            if flags & FIEMAP_EXTENT_UNWRITTEN or logical >= size:
                continue
            length = min(length, size - logical)
            physical += offset
            if runs:
                p, n, l = runs[-1]
                if logical < l + n or physical < p + n:
                    return None
                if physical == p + n and logical == l + n:
                    runs[-1] = (p, n + length, l)
                    continue
            runs.append((physical, length, logical))
        if last:
            break
    return runs


# What find prints of each regular file for the inventory: inode, size,
# permission bits (octal), uid, gid, mtime and ctime (seconds), and the path
# under the root, NUL-terminated (a path holds any byte but NUL).
FIND_FORMAT = r"%i\t%s\t%m\t%U\t%G\t%T@\t%C@\t%P\0"
FIND_ERROR = re.compile(r"^find: '(.*)': (.*)$")


def find_files(root, errors):
    """(inode, size, mode, uid, gid, mtime, ctime, relative path) of every
    regular file under root, on root's file system, as find lists them: one
    pass over the metadata in C, several times faster than a walk in Python
    when the metadata is still on the device. find's complaints (a folder
    it cannot read) are written to errors, a binary file. A find that dies,
    or fails without a complaint, raises OSError: its list would be cut
    short."""
    find = subprocess.Popen(["find", root, "-xdev", "-type", "f", "-printf", FIND_FORMAT],
                            stdout=subprocess.PIPE, stderr=errors, env=dict(os.environ, LC_ALL="C"))
    rest = b""
    while True:
        block = find.stdout.read(1 << 20)
        if not block:
            break
        items = (rest + block).split(b"\0")
        rest = items.pop()
        for item in items:
            ino, size, mode, uid, gid, mtime, ctime, rel = item.split(b"\t", 7)
            yield (int(ino), int(size), stat.S_IFREG | int(mode, 8), int(uid), int(gid), float(mtime),
                   float(ctime), os.fsdecode(rel))
    code = find.wait()
    if code < 0 or rest or (code != 0 and errors.tell() == 0):
        raise OSError("find ended early (exit status %d): the file list is incomplete" % code)


def cmd_walk(args):
    """Inventory of the regular files under ROOT, sorted by path. find lists
    them with their metadata (see find_files). With --plan, each file's
    extents are mapped on the device while find goes on, and the files that
    map plainly are written to the plan for evidence_stream.py, which hashes
    them from its one read of the device (merge-hashes puts its hashes in
    the inventory afterwards); the plan is written as soon as find ends. The
    other files are hashed through the mount by a few threads (hashlib and
    reads work outside the interpreter lock), each taking every n-th file in
    inode order so that together they move through the file system's
    layout."""
    root = os.path.abspath(args.root)
    offset = args.offset if args.plan is not None else None
    fiemap = bytearray(FIEMAP_HEADER.size + FIEMAP_EXTENT.size * FIEMAP_BATCH)
    entries = []  # [record, device runs or None]
    with tempfile.TemporaryFile() as errors:
        for ino, size, mode, uid, gid, mtime, ctime, rel in find_files(root, errors):
            rec = {"path": "/" + rel, "inode": ino, "size": size, "mode": "%o" % mode, "uid": uid, "gid": gid,
                   "mtime": iso(mtime), "ctime": iso(ctime), "sha256": None}
            runs = None
            if size > args.max_hash_bytes:
                rec["hashSkipped"] = "larger than %d bytes" % args.max_hash_bytes
            elif offset is not None:
                try:
                    runs = map_file(os.path.join(root, rel), size, offset, fiemap)
                except NoMap:
                    offset = None
                if runs is not None:
                    rec["hashSource"] = "device"
            entries.append((rec, runs))
        errors.seek(0)
        for line in errors.read().decode("utf-8", "replace").splitlines():
            m = FIND_ERROR.match(line)
            where = m.group(1) if m else ""
            rel = where[len(root):] if where.startswith(root + "/") else ""
            entries.append(({"path": rel or "/", "error": m.group(2) if m else line}, None))
    entries.sort(key=lambda e: e[0]["path"])
    if args.plan is not None:
        write_plan(args.plan, [(i, rec["size"], runs) for i, (rec, runs) in enumerate(entries) if runs is not None])
    todo = [(rec["inode"], os.path.join(root, rec["path"][1:]), rec) for rec, runs in entries
            if runs is None and "error" not in rec and "hashSkipped" not in rec]
    todo.sort(key=lambda t: t[0])
    workers = args.workers or min(8, max(2, os.cpu_count() or 1))

    def work(share):
        buf = bytearray(HASH_READ_BYTES)
        for _, path, rec in share:
            digest, skipped = hash_file(path, args.max_hash_bytes, buf)
            rec["sha256"] = digest
            if skipped:
                rec["hashSkipped"] = skipped
            else:
                rec["hashSource"] = "mount"

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for f in [pool.submit(work, todo[i::workers]) for i in range(workers)]:
            f.result()
    out = sys.stdout
    for rec, _ in entries:
        out.write(json.dumps(rec, sort_keys=True) + "\n")


def map_file(path, size, offset, fiemap):
    """The device runs of the file at path, or None to hash it through the
    mount (it cannot be opened, or does not map plainly). Raises NoMap when
    the file system cannot map files at all."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOATIME", 0))
    except OSError:
        return None
    try:
        return device_runs(fd, size, offset, fiemap)
    finally:
        os.close(fd)


def write_plan(path, planned):
    """The plan evidence_stream.py reads: a line per file, "index TAB size
    TAB runs", written aside and renamed so that it appears whole."""
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        for index, size, runs in planned:
            f.write("%d\t%d\t%s\n" % (index, size, ",".join("%d:%d:%d" % r for r in runs)))
    os.rename(tmp, path)


def cmd_merge_hashes(args):
    """Put evidence_stream.py's file hashes (index TAB sha256, or index TAB
    - TAB reason) into the inventory, in place. A file left to the stream
    that has no hash is hashed through the mount (--root) when there is
    one, or gets hashSkipped: the line's reason, or --missing-reason when
    the stream wrote no hashes. Prints how many files it hashed through the
    mount. The lines that get a hash are not decoded: the walk writes keys
    sorted, so the last '"sha256": null' of a line is its sha256 key (only
    numbers follow)."""
    hashes, reasons = {}, {}
    if args.hashes and os.path.exists(args.hashes):
        with open(args.hashes, encoding="ascii") as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if len(fields) == 2 and SHA256_HEX.fullmatch(fields[1]):
                    hashes[int(fields[0])] = fields[1]
                elif len(fields) == 3 and fields[1] == "-":
                    reasons[int(fields[0])] = fields[2]
    buf = bytearray(HASH_READ_BYTES)
    from_mount = 0
    tmp = args.inventory + ".tmp"
    with open(args.inventory, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as out:
        for index, line in enumerate(src):
            if '"hashSource": "device"' in line:
                head, key, tail = line.rpartition('"sha256": null')
                if key and index in hashes and AFTER_SHA256.fullmatch(tail):
                    line = '%s"sha256": "%s"%s' % (head, hashes[index], tail)
                else:
                    rec = json.loads(line)
                    if rec.get("hashSource") == "device" and rec.get("sha256") is None:
                        if index in hashes:
                            rec["sha256"] = hashes[index]
                        else:
                            why = reasons.get(index, args.missing_reason)
                            digest, skipped = None, why
                            if args.root:
                                digest, skipped = hash_file(os.path.join(args.root, rec["path"][1:]),
                                                            args.max_hash_bytes, buf)
                            if digest:
                                rec["sha256"], rec["hashSource"] = digest, "mount"
                                from_mount += 1
                            else:
                                del rec["hashSource"]
                                rec["hashSkipped"] = skipped
                    line = json.dumps(rec, sort_keys=True) + "\n"
            out.write(line)
    os.rename(tmp, args.inventory)
    print(from_mount)


def mode_string(st):
    """TSK's mode_as_string for a stat result, like r/rrwxr-xr-x."""
    kinds = ((stat.S_ISREG, "r"), (stat.S_ISDIR, "d"), (stat.S_ISLNK, "l"), (stat.S_ISCHR, "c"),
             (stat.S_ISBLK, "b"), (stat.S_ISFIFO, "p"), (stat.S_ISSOCK, "h"))
    kind = next((k for test, k in kinds if test(st.st_mode)), "-")
    perms = stat.filemode(st.st_mode)[1:]
    return "%s/%s%s" % (kind, kind, perms)


def cmd_bodyfile(args):
    """A bodyfile of a mounted file system, for when the Sleuth Kit cannot
    read it (for example XFS before TSK 4.12)."""
    root = os.path.abspath(args.root)
    root_dev = os.lstat(root).st_dev
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            entries = sorted(os.scandir(d), key=lambda x: x.name)
        except OSError:
            continue
        for de in entries:
            try:
                st = de.stat(follow_symlinks=False)
            except OSError:
                continue
            if st.st_dev != root_dev:
                continue
            name = ("/" + os.path.relpath(de.path, root)).replace("\n", "?")
            sys.stdout.write("0|%s|%d|%s|%d|%d|%d|%d|%d|%d|0\n" % (
                name, st.st_ino, mode_string(st), st.st_uid, st.st_gid, st.st_size,
                int(st.st_atime), int(st.st_mtime), int(st.st_ctime)))
            if stat.S_ISDIR(st.st_mode):
                stack.append(de.path)


def open_beneath(root, path):
    """Open path (absolute within the file system) under root for reading,
    refusing symbolic links in every component so nothing outside root is
    ever read."""
    comps = [c for c in path.split("/") if c]
    if not comps or any(c in (".", "..") for c in comps):
        raise OSError("unusable path")
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for comp in comps[:-1]:
            nfd = os.open(comp, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nfd
        ffd = os.open(comps[-1], os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NOATIME", 0), dir_fd=fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(ffd).st_mode):
        os.close(ffd)
        raise OSError("not a regular file")
    return os.fdopen(ffd, "rb")


def copy_from_mount(root, name, dest, limit):
    with open_beneath(root, name) as src, open(dest, "wb") as out:
        left = limit
        while left > 0:
            chunk = src.read(min(left, 1 << 20))
            if not chunk:
                break
            out.write(chunk)
            left -= len(chunk)


def cmd_bodyfile_inventory(args):
    for e in read_bodyfile(args.bodyfile):
        if e.is_regular():
            rec = e.record()
            rec["sha256"] = None
            rec["hashSkipped"] = "file system not mounted"
            emit(rec)


def cmd_triage(args):
    entries = [e for e in read_bodyfile(args.bodyfile) if e.is_regular()]
    now = time.time()
    times = [max(e.mtime, e.ctime) for e in entries if not e.deleted and 0 < max(e.mtime, e.ctime) <= now + 86400]
    reference = max(times) if times else now
    since = reference - args.recent_days * 86400
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "suid-sgid.jsonl"), "w") as f:
        for e in entries:
            if e.suid() or e.sgid():
                rec = e.record()
                rec.update({"suid": e.suid(), "sgid": e.sgid()})
                emit(rec, f)
    with open(os.path.join(args.out, "recent-executables.jsonl"), "w") as f:
        for e in entries:
            if not e.deleted and e.executable() and max(e.mtime, e.ctime) >= since:
                rec = e.record()
                rec["windowStart"] = iso(since)
                emit(rec, f)
    with open(os.path.join(args.out, "temp-executables.jsonl"), "w") as f:
        for e in entries:
            if e.deleted:
                continue
            if (LINUX_TEMP_DIRS.match(e.name) and e.executable() and not e.ntfs()) or \
                    (WINDOWS_TEMP_DIRS.match(e.name) and WINDOWS_EXECUTABLE.search(e.name)):
                emit(e.record(), f)
    # The artifacts to copy. Without --copy-from, the shell copies them with
    # icat: print inode, bytes, destination, kind, source. With it, copy them
    # here from the mounted file system and print "copied" for the inode.
    for e in entries:
        if e.deleted:
            continue
        for kind, rx in ARTIFACT_RES:
            if rx.match(e.name):
                limit = MAX_HIVE_BYTES if kind == "windows-registry" else args.max_artifact_bytes
                n = min(e.size, max(limit, args.max_artifact_bytes))
                dest = safe_relpath(e.name)
                inode = e.inode
                if args.copy_from:
                    target = os.path.join(args.out, "artifacts", dest)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    try:
                        copy_from_mount(args.copy_from, e.name, target, n)
                        inode = "copied"
                    except OSError as err:
                        inode = "failed"
                        sys.stderr.write("cannot copy %s: %s\n" % (printable(e.name), err))
                sys.stdout.write("%s\t%d\t%s\t%s\t%s\n" % (inode, n, dest, kind, printable(e.name)))
                break


def read_jsonl(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return []


def read_text(path, limit=4 << 20):
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


WINDOWS_HIVE = re.compile(r"(?i)(/config/(SAM|SECURITY|SOFTWARE|SYSTEM|DEFAULT)|/NTUSER_?\.DAT|/UsrClass\.dat|"
                          r"/Amcache\.hve)$")
WINDOWS_TASK = re.compile(r"(?i)^/Windows/(System32/)?Tasks/")
WINDOWS_STARTUP = re.compile(r"(?i)/Start_Menu/Programs/Startup/[^/]+$")


def cmd_findings(args):
    base = {"evidence": args.evidence, "partition": args.partition}

    def finding(fid, severity, path, detail, samples=None):
        rec = dict(base, id=fid, severity=severity, path=path, detail=detail)
        if samples:
            rec["samples"] = [printable(s)[:300] for s in samples[:5]]
        emit(rec)

    # Shells and interpreters by content, so that a renamed SUID copy is found.
    # With --root (the read-only mount) the few files this compares, the
    # SUID files and the shells of their sizes, are hashed from it, so that
    # the findings need not wait for the device stream's hashes; without it,
    # the inventory's hashes serve.
    suid = [r for r in read_jsonl(os.path.join(args.dir, "suid-sgid.jsonl")) if not r.get("deleted")]
    inventory = read_jsonl(os.path.join(args.dir, "inventory.jsonl")) if suid else []
    if args.root:
        buf = bytearray(HASH_READ_BYTES)

        def content_hash(rec):
            return hash_file(os.path.join(args.root, rec["path"].lstrip("/")), args.max_hash_bytes, buf)[0]
    else:
        def content_hash(rec):
            return rec.get("sha256")
    files = {r["path"]: r for r in inventory if "error" not in r}
    sizes = {files[r["path"]]["size"] for r in suid if r["path"] in files}
    shells = {}
    for r in files.values():
        if r["size"] in sizes and r["path"].startswith(STANDARD_EXEC_DIRS) and SHELLS.match(os.path.basename(r["path"])):
            digest = content_hash(r)
            if digest:
                shells.setdefault(digest, r["path"])
    for rec in suid:
        path = rec["path"]
        bits = "+".join(b for b in ("SUID" if rec.get("suid") else "", "SGID" if rec.get("sgid") else "") if b)
        copy_of = shells.get(content_hash(files[path])) if path in files and shells else None
        if copy_of and copy_of != path:
            finding("SUID_SHELL", "high", path, "%s copy of %s owned by uid %d" % (bits, copy_of, rec["uid"]))
        elif SHELLS.match(os.path.basename(path)):
            finding("SUID_SHELL", "high", path, "%s interpreter or shell owned by uid %d" % (bits, rec["uid"]))
        elif not path.startswith(STANDARD_EXEC_DIRS):
            finding("SUID_UNUSUAL_LOCATION", "medium", path, "%s file outside the standard binary folders" % bits)

    recent = [r for r in read_jsonl(os.path.join(args.dir, "recent-executables.jsonl"))
              if r["path"].startswith(SYSTEM_EXEC_DIRS)]
    if recent:
        finding("RECENT_SYSTEM_EXECUTABLES", "medium", None,
                "%d executables in system folders changed since %s" % (len(recent), recent[0].get("windowStart")),
                [r["path"] for r in recent])

    temp = [r for r in read_jsonl(os.path.join(args.dir, "temp-executables.jsonl")) if not r.get("deleted")]
    for r in temp[:50]:
        finding("TEMP_EXECUTABLE", "high" if r.get("size", 0) > 0 else "medium", r["path"],
                "executable file in a temporary folder, %d bytes, modified %s" % (r.get("size", 0), r.get("mtime")))
    if len(temp) > 50:
        finding("TEMP_EXECUTABLE", "high", None, "%d more executables in temporary folders" % (len(temp) - 50),
                [r["path"] for r in temp[50:]])

    art = os.path.join(args.dir, "artifacts")
    hives = []
    for dirpath, _, files in os.walk(art):
        for name in sorted(files):
            full = os.path.join(dirpath, name)
            path = "/" + os.path.relpath(full, art)
            text = read_text(full)
            lines = [ln.strip() for ln in text.splitlines()]
            active = [ln for ln in lines if ln and not ln.startswith("#")]
            bad = [ln for ln in lines if SUSPICIOUS.search(ln)]
            if re.search(r"/\.ssh/authorized_keys2?$", path):
                keys = [ln for ln in active if re.search(r"(ssh-|ecdsa-|sk-)", ln)]
                forced = [ln for ln in keys if not re.match(r"^(ssh-|ecdsa-|sk-)", ln)]
                sev = "medium" if path.startswith("/root/") else "low"
                finding("AUTHORIZED_KEYS", sev, path, "%d key(s), %d with options" % (len(keys), len(forced)),
                        [k[:80] for k in keys])
            elif re.search(r"(^/etc/cron|^/var/spool/(cron|at)/|^/etc/anacrontab)", path):
                if bad:
                    finding("CRON_SUSPICIOUS", "high", path, "cron entry that downloads, opens a shell or hides", bad)
                elif active and (path.startswith("/var/spool/") or "/cron.d/" in path):
                    finding("CRON_ENTRY", "low", path, "%d active line(s)" % len(active), active)
            elif re.search(r"(_history|/ConsoleHost_history\.txt)$", path, re.IGNORECASE):
                if bad:
                    finding("HISTORY_SUSPICIOUS", "medium", path, "%d suspicious command(s)" % len(bad), bad)
            elif "/systemd/" in path:
                execs = [ln for ln in active if ln.startswith("Exec")]
                if any(SUSPICIOUS.search(ln) for ln in execs):
                    finding("SYSTEMD_SUSPICIOUS", "high", path, "unit runs a suspicious command",
                            [ln for ln in execs if SUSPICIOUS.search(ln)])
                else:
                    finding("SYSTEMD_LOCAL_UNIT", "info", path, "locally installed unit", execs)
            elif path == "/etc/ld.so.preload" and active:
                finding("LD_SO_PRELOAD", "high", path, "libraries preloaded into every process", active)
            elif path == "/etc/rc.local" and bad:
                finding("RC_LOCAL_SUSPICIOUS", "high", path, "rc.local runs a suspicious command", bad)
            elif WINDOWS_HIVE.search(path):
                hives.append(path)
            elif WINDOWS_TASK.search(path):
                commands = re.findall(r"<(?:Command|Arguments)>([^<]*)</", read_text(full).replace("\x00", ""))
                if any(SUSPICIOUS.search(c) for c in commands):
                    finding("WINDOWS_TASK_SUSPICIOUS", "high", path, "scheduled task runs a suspicious command",
                            [c for c in commands if SUSPICIOUS.search(c)])
                else:
                    finding("WINDOWS_TASK", "info", path, "scheduled task", commands)
            elif WINDOWS_STARTUP.search(path):
                finding("WINDOWS_STARTUP_ITEM", "medium", path, "file in a Startup folder runs at log-on")
    if hives:
        finding("WINDOWS_REGISTRY_HIVES", "info", None, "%d registry hive(s) copied out" % len(hives), hives)
    for path in hives:
        for key, values in run_keys(os.path.join(art, path.lstrip("/")), path):
            bad = [v for v in values if SUSPICIOUS.search(v)]
            finding("WINDOWS_RUN_KEY", "high" if bad else "medium", path,
                    "%s: %d program(s) started at boot or log-on" % (key, len(values)), bad + [v for v in values if v not in bad])


# The autostart keys read from the hives, relative to the hive's root.
RUN_KEYS = {
    "SOFTWARE": ["\\Microsoft\\Windows\\CurrentVersion\\Run", "\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
                 "\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run",
                 "\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run"],
    "NTUSER.DAT": ["\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
                   "\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce"],
}


def run_keys(hive, path):
    """The values of the autostart keys of a copied hive, read with hivex's
    hivexget (libhivex-bin): [(key, ["name=value", ...])]. A hive without
    such a key, or a machine without hivexget, gives none."""
    keys = RUN_KEYS.get(os.path.basename(path).upper(), [])
    if not keys or shutil.which("hivexget") is None:
        return []
    found = []
    for key in keys:
        try:
            out = subprocess.run(["hivexget", hive, key], capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode != 0:
            continue
        values = []
        for line in out.stdout.decode("utf-8", "replace").splitlines():
            m = re.match(r'^"((?:[^"\\]|\\.)*)"=(.*)$', line)
            if m:
                values.append("%s=%s" % (unescape_reg(m.group(1)), reg_value(m.group(2))))
        if values:
            found.append((key, values))
    return found


def unescape_reg(s):
    return re.sub(r"\\(.)", r"\1", s)


def reg_value(v):
    """A value as hivexget prints it in regedit form: a quoted string is
    unescaped, anything else (hex:, dword:) kept as printed."""
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return unescape_reg(v[1:-1])
    return v


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd")
    s = sub.add_parser("walk")
    s.add_argument("root")
    s.add_argument("--max-hash-bytes", type=int, default=256 << 20)
    s.add_argument("--workers", type=int, default=0, help="hashing threads (0: by the CPU count, 2 to 8)")
    s.add_argument("--plan", help="write the files whose blocks map plainly to this plan for evidence_stream.py")
    s.add_argument("--offset", type=int, default=0, help="byte offset of the file system on the evidence device")
    s = sub.add_parser("merge-hashes")
    s.add_argument("inventory")
    s.add_argument("--hashes", help="evidence_stream.py's hashes of the plan")
    s.add_argument("--missing-reason", required=True, help="hashSkipped of a planned file without a hash")
    s.add_argument("--root", help="the read-only mount, to hash a planned file the stream did not")
    s.add_argument("--max-hash-bytes", type=int, default=256 << 20)
    s = sub.add_parser("bodyfile-inventory")
    s.add_argument("bodyfile")
    s = sub.add_parser("triage")
    s.add_argument("bodyfile")
    s.add_argument("--out", required=True)
    s.add_argument("--recent-days", type=int, default=7)
    s.add_argument("--max-artifact-bytes", type=int, default=64 << 20)
    s.add_argument("--copy-from", help="mounted file system to copy the artifacts from")
    s = sub.add_parser("bodyfile")
    s.add_argument("root")
    s = sub.add_parser("findings")
    s.add_argument("--dir", required=True)
    s.add_argument("--evidence", required=True)
    s.add_argument("--partition", required=True)
    s.add_argument("--root", help="the file system's read-only mount, to hash the files the findings compare")
    s.add_argument("--max-hash-bytes", type=int, default=256 << 20)
    args = p.parse_args()
    handlers = {"walk": cmd_walk, "merge-hashes": cmd_merge_hashes, "bodyfile": cmd_bodyfile, "bodyfile-inventory": cmd_bodyfile_inventory,
                "triage": cmd_triage, "findings": cmd_findings}
    if args.cmd not in handlers:
        p.print_usage(sys.stderr)
        return 2
    handlers[args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
