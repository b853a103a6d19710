//! CPU time of the whole process (every thread: the simulator's and the connector's), for
//! throughput figures that a busy shared machine does not distort as it does wall time.

/// Nanoseconds the process's threads have run so far (Linux `schedstat`); `None` elsewhere.
pub fn process_ns() -> Option<u64> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}
