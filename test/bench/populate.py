#!/usr/bin/env python3
"""populate.py ROOT --files N --bytes B [--seed S]: fills the folder ROOT
(a mounted evidence file system, for the disk bench) with a tree of N
regular files holding B bytes in all: mostly small files (configuration,
logs, scripts, libraries) in a deep tree, a few large ones (packages,
databases, images), each file's content distinct. It also plants what the
disk pass looks for (a SUID shell, a cron entry, an authorized key, an
executable in /tmp), so that the pass does its whole work."""

import argparse
import os
import random
import stat
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--files", type=int, required=True)
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    rng = random.Random(a.seed)
    pool = rng.randbytes(64 << 20)
    # A fifth of the bytes in large files (1 in 1000 files), the rest in
    # small ones.
    large = max(1, a.files // 1000)
    small = a.files - large
    large_size = (a.bytes // 5) // large
    small_mean = (a.bytes - large * large_size) // max(1, small)
    top = ["usr/lib", "usr/share", "var/lib", "var/log", "opt/app", "home/admin/src", "etc"]
    written = 0
    for i in range(a.files):
        if i < large:
            size = large_size
            path = os.path.join(a.root, "var/lib/blobs", "blob-%04d.bin" % i)
        else:
            size = max(1, int(rng.expovariate(1 / small_mean)))
            d = os.path.join(rng.choice(top), "d%02d" % rng.randrange(40), "s%02d" % rng.randrange(25))
            path = os.path.join(a.root, d, "f%06d.dat" % i)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(i.to_bytes(8, "little"))
            left, off = size - 8, rng.randrange(len(pool))
            while left > 0:
                chunk = pool[off:off + min(left, 8 << 20)]
                if not chunk:
                    off = 0
                    continue
                f.write(chunk)
                left -= len(chunk)
                off = (off + len(chunk)) % len(pool)
        written += size
    plant(a.root)
    print("%d files, %d bytes" % (a.files, written), file=sys.stderr)


def plant(root):
    def put(rel, content, mode):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)
        os.chmod(path, mode)
    put("usr/local/bin/.helper", "#!/bin/sh\nexec /bin/sh -p\n", 0o755 | stat.S_ISUID)
    put("etc/cron.d/sysupdate", "*/5 * * * * root /tmp/.x/update.sh\n", 0o644)
    put("home/admin/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBench bench@attacker\n", 0o600)
    put("tmp/.x/update.sh", "#!/bin/sh\ncurl -s stratum+tcp://pool.example:3333\n", 0o755)


if __name__ == "__main__":
    main()
