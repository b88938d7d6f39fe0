//! `--stats`: where a scan's time and memory went, printed on stderr after the report.

use super::StageTimes;

/// Two lines: wall time per phase (with the thread time spent parsing and evaluating
/// inside them), then resident memory.
pub fn render(t: &StageTimes, report_ms: u64) -> String {
    let mut out = format!(
        "stages: discover {} ms, read {} ms, render (helm, kustomize) {} ms, terraform {} ms, other files {} ms, kubernetes {} ms, \
         suppress+sort {} ms, report {} ms (thread time: parse+model of non-Terraform files {} ms, evaluate {} ms)\n",
        t.discover_ms,
        t.read_ms,
        t.render_ms,
        t.terraform_ms,
        t.files_ms,
        t.kubernetes_ms,
        t.finish_ms,
        report_ms,
        t.model_cpu_ms,
        t.evaluate_cpu_ms,
    );
    let mib = |r: Option<crate::memory::Resident>| {
        r.map_or_else(|| "?".to_owned(), |r| r.now_mib.to_string())
    };
    if let Some(now) = crate::memory::resident() {
        out.push_str(&format!(
            "memory: resident {} MiB after discover, {} MiB after modelling, {} MiB at the end; peak {} MiB\n",
            mib(t.resident[0]),
            mib(t.resident[1]),
            mib(t.resident[2]),
            now.peak_mib
        ));
    }
    out
}

/// Prints the stage figures on stderr (beside any format on stdout).
pub fn print(t: &StageTimes, report_ms: u64) {
    #[expect(
        clippy::print_stderr,
        reason = "--stats goes to stderr, beside any format"
    )]
    {
        eprint!("{}", render(t, report_ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_stage() {
        let t = StageTimes {
            discover_ms: 1,
            read_ms: 2,
            terraform_ms: 3,
            files_ms: 4,
            kubernetes_ms: 5,
            finish_ms: 6,
            render_ms: 10,
            model_cpu_ms: 7,
            evaluate_cpu_ms: 8,
            resident: [None; 3],
        };
        let s = render(&t, 9);
        assert!(s.starts_with(
            "stages: discover 1 ms, read 2 ms, render (helm, kustomize) 10 ms, terraform 3 ms, other files 4 ms, kubernetes 5 ms, \
             suppress+sort 6 ms, report 9 ms (thread time: parse+model of non-Terraform files 7 ms, evaluate 8 ms)\n"
        ), "{s}");
    }
}
