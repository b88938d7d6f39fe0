//! Resident memory of this process, for `--stats` (Linux: /proc/self/status; elsewhere
//! unknown).

/// Current and peak resident set size in MiB, when the platform tells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resident {
    pub now_mib: u64,
    pub peak_mib: u64,
}

pub(crate) fn resident() -> Option<Resident> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
    };
    Some(Resident {
        now_mib: kib("VmRSS:")? / 1024,
        peak_mib: kib("VmHWM:")? / 1024,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn reads_this_process() {
        let r = resident().expect("linux has /proc/self/status");
        assert!(r.peak_mib >= r.now_mib);
    }
}
