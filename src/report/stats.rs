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
    if let Some(now) = crate::memory::resident() {
        let stages: Vec<String> = t
            .resident
            .iter()
            .map(|(stage, r)| format!("{stage} {} (peak {})", r.now_mib, r.peak_mib))
            .collect();
        out.push_str(&format!(
            "memory: resident MiB after {}; peak {} MiB\n",
            stages.join(", "),
            now.peak_mib
        ));
    }
    let mut largest = Vec::new();
    if let Some((bytes, name)) = &t.largest_file {
        largest.push(format!("file {name} ({} KiB)", bytes / 1024));
    }
    if let Some((resources, name)) = &t.largest_root {
        let resources = super::plural(*resources, "resource", "resources");
        largest.push(format!("Terraform root {name} ({resources})"));
    }
    if t.kubernetes_objects + t.across_files > 0 {
        let objects = super::plural(t.kubernetes_objects, "object", "objects");
        let files = super::plural(t.across_files, "file", "files");
        largest.push(format!(
            "Kubernetes cross-file batch ({objects} kept whole, {files} modelled again)"
        ));
    }
    if !largest.is_empty() {
        out.push_str(&format!("largest: {}\n", largest.join(", ")));
    }
    out.push_str(&format!(
        "threads: {}\n",
        super::plural(t.threads, "worker", "workers")
    ));
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
            resident: vec![(
                "discover",
                crate::memory::Resident {
                    now_mib: 11,
                    peak_mib: 12,
                },
            )],
            largest_file: Some((4096, "big.yaml".into())),
            largest_root: Some((3, "infra".into())),
            kubernetes_objects: 2,
            across_files: 1,
            threads: 1,
        };
        let s = render(&t, 9);
        assert!(s.starts_with(
            "stages: discover 1 ms, read 2 ms, render (helm, kustomize) 10 ms, terraform 3 ms, other files 4 ms, kubernetes 5 ms, \
             suppress+sort 6 ms, report 9 ms (thread time: parse+model of non-Terraform files 7 ms, evaluate 8 ms)\n"
        ), "{s}");
        if crate::memory::resident().is_some() {
            assert!(
                s.contains("memory: resident MiB after discover 11 (peak 12); peak "),
                "{s}"
            );
        }
        assert!(
            s.ends_with(
                "largest: file big.yaml (4 KiB), Terraform root infra (3 resources), \
             Kubernetes cross-file batch (2 objects kept whole, 1 file modelled again)\nthreads: 1 worker\n"
            ),
            "{s}"
        );
    }
}
