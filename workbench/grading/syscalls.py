"""The sandbox's seccomp filter: system calls a submission has no use for are refused.

Built with libseccomp (the ``pyseccomp`` binding, ctypes over the distribution's
``libseccomp.so.2``) and handed to bubblewrap as a compiled BPF program (``--seccomp FD``),
which loads it just before it starts the bootstrap: everything the student's code runs,
children included, is filtered, and a filter can never be removed.

Refused with ``EPERM`` (the call fails, the process goes on):

- the kernel keyrings (``add_key``, ``keyctl``, ``request_key``): a key one run stores would
  otherwise be readable by the next run under the same uid;
- tracing other processes (``ptrace``, ``process_vm_readv``/``writev``);
- every mount-family call and ``chroot``;
- new namespaces: ``setns``, and ``unshare``/``clone`` with any ``CLONE_NEW*`` flag — above all
  ``CLONE_NEWUSER``, which would give the code full capabilities in a namespace of its own;
  ``clone3`` answers ``ENOSYS`` (its flags sit in memory, out of the filter's sight), so the C
  library falls back to ``clone``, which is checked;
- kernel-facing calls: ``bpf``, ``perf_event_open``, ``userfaultfd``, ``io_uring_*``, module
  loading, ``kexec_*``, ``reboot``, ``swapon``/``swapoff``, ``acct``, ``syslog``, ``quotactl``,
  clock and host-name setters, ``open_by_handle_at``, ``iopl``/``ioperm``.

Calls of a foreign architecture (32-bit ``int 0x80`` on x86-64) kill the process (libseccomp's
default for a bad architecture). Everything else is allowed: numpy, pandas, scikit-learn,
PyVRP, threads, ``subprocess`` and ``multiprocessing`` work as usual.
"""

from __future__ import annotations

import functools
import os
from errno import ENOSYS, EPERM

NAMESPACE_FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}
CLONE_NEWTIME = 0x00000080  # unshare only: for clone() these bits are the exit signal

DENIED = (
    # keyrings
    "add_key",
    "keyctl",
    "request_key",
    # other processes
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    # mounts and roots
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    # namespaces (unshare and clone: only with CLONE_NEW* flags, below)
    "setns",
    # the kernel itself
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "syslog",
    "quotactl",
    "quotactl_fd",
    "lookup_dcookie",
    "open_by_handle_at",
    "name_to_handle_at",
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "vhangup",
    "fanotify_init",
    "nfsservctl",
    "uselib",
    "_sysctl",
)


@functools.cache
def bpf_program() -> bytes | None:
    """The compiled filter, or ``None`` when libseccomp cannot be loaded (see :func:`problem`)."""
    try:
        return _build()
    except Exception:  # no libseccomp on this host, or a binding that cannot load it
        return None


def problem() -> str | None:
    """Why there is no filter on this host, as a sentence; ``None`` when there is one."""
    try:
        _build()
    except Exception as exc:
        return (
            f"no seccomp filter: libseccomp could not be used ({type(exc).__name__}: {exc}); "
            "install the distribution's libseccomp2 package"
        )
    return None


def _build() -> bytes:
    import tempfile

    import pyseccomp as sc

    f = sc.SyscallFilter(sc.ALLOW)
    for name in DENIED:
        try:
            f.add_rule(sc.ERRNO(EPERM), name)
        except (ValueError, RuntimeError, OSError):  # a name this libseccomp does not know
            continue
    for flag in NAMESPACE_FLAGS.values():
        for call in ("unshare", "clone"):
            f.add_rule(sc.ERRNO(EPERM), call, sc.Arg(0, sc.MASKED_EQ, flag, flag))
    f.add_rule(sc.ERRNO(EPERM), "unshare", sc.Arg(0, sc.MASKED_EQ, CLONE_NEWTIME, CLONE_NEWTIME))
    f.add_rule(sc.ERRNO(ENOSYS), "clone3")
    with tempfile.TemporaryFile() as out:
        f.export_bpf(out)
        out.seek(0)
        return out.read()


def program_fd() -> int | None:
    """A fresh read-only file descriptor holding the filter, positioned at its start, for
    bubblewrap's ``--seccomp FD`` (the caller closes it); ``None`` without a filter."""
    program = bpf_program()
    if program is None:
        return None
    fd = os.memfd_create("workbench-seccomp", os.MFD_CLOEXEC)
    try:
        os.write(fd, program)
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError:
        os.close(fd)
        raise
    return fd
