//! While clawboot runs it holds secret values in memory: no core dump may carry them off, and
//! no other process of the same user may read its memory through ptrace or /proc/PID/mem.

/// Turn off core dumps and make the process non-dumpable. Called first thing in `main`.
pub fn no_core_dumps() {
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on this process, with a valid rlimit; their failure only
    // leaves the defaults in place, which is logged.
    let (limit, dumpable) = unsafe {
        (
            libc::setrlimit(libc::RLIMIT_CORE, &none),
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0),
        )
    };
    if limit != 0 || dumpable != 0 {
        tracing::warn!(limit, dumpable, "could not turn off core dumps");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn after_it_no_core_dump_and_not_dumpable() {
        super::no_core_dumps();
        let mut limit = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: reading this process's own limits into a valid struct.
        let (read, dumpable) = unsafe {
            (
                libc::getrlimit(libc::RLIMIT_CORE, &mut limit),
                libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0),
            )
        };
        assert_eq!(
            (read, limit.rlim_cur, limit.rlim_max, dumpable),
            (0, 0, 0, 0)
        );
    }
}
