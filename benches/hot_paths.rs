//! Criterion benchmarks for the hot paths: parsing per format, building Terraform
//! resources, rule evaluation per resource, loading the embedded packs, and one whole
//! scan of a small generated corpus (the binary, end to end).
//!
//! ```sh
//! cargo bench --bench hot_paths              # all, a few minutes on 2 cores
//! cargo bench --bench hot_paths -- evaluate  # a subset
//! ```
//!
//! Inputs come from `examples/gen_corpus/` (scale 0.1, written to a temp dir), so the
//! numbers follow what the corpus benchmark (`scripts/bench.sh`) scans.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use isolint::config::Config;
use isolint::evaluate::{Batch, EvalOptions, Scope};
use isolint::model::{Resource, docker, kubernetes, terraform};
use isolint::parse::{dockerfile, yaml};
use isolint::source::{FileId, SourceMap, SourceText};

#[allow(dead_code)]
#[path = "../examples/gen_corpus/main.rs"]
mod gen_corpus;

/// A generated scale-0.1 corpus (about 130 files), written once per bench process.
fn corpus() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        gen_corpus::generate(dir.path(), 0.1);
        dir
    })
    .path()
}

fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if keep(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Reads files into `SourceText`s with ids 0.., display paths relative to the corpus.
fn sources(paths: &[PathBuf]) -> Vec<Arc<SourceText>> {
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let text = isolint::source::read_text(p).unwrap_or_else(|_| panic!("{p:?}"));
            let display = p
                .strip_prefix(corpus())
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned();
            Arc::new(SourceText::new(
                FileId(u32::try_from(i).expect("few files")),
                display,
                p.clone(),
                text,
            ))
        })
        .collect()
}

fn one_file(name: &str) -> Arc<SourceText> {
    let path = files_under(corpus(), &|p| p.ends_with(name))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {name} in the corpus"));
    sources(&[path]).remove(0)
}

/// One domain's Terraform: its modules and every stack that calls them.
fn terraform_sources() -> Vec<Arc<SourceText>> {
    let infra = corpus().join("domains/commerce-00/infra");
    sources(&files_under(&infra, &|p| {
        p.extension().is_some_and(|e| e == "tf" || e == "tfvars")
    }))
}

fn bench_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    let deployment = one_file("k8s/workload.yaml");
    g.throughput(Throughput::Bytes(deployment.text.len() as u64));
    g.bench_function("yaml/workload-multidoc", |b| {
        b.iter(|| yaml::parse_yaml(black_box(&deployment)).expect("parses"));
    });

    // A 1 MB `kind: List`, to see per-byte cost on large manifests.
    let item = "  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cm-NUM\n      labels: {app: web, tier: \"backend\"}\n    data:\n      key: value with some text\n      list: [1, 2, 3]\n";
    let mut big = String::from("apiVersion: v1\nkind: List\nitems:\n");
    let mut n = 0;
    while big.len() < 1 << 20 {
        big.push_str(&item.replace("NUM", &n.to_string()));
        n += 1;
    }
    let big = SourceText::new(FileId(0), "big.yaml", "big.yaml".into(), Arc::from(big));
    g.throughput(Throughput::Bytes(big.text.len() as u64));
    g.bench_function("yaml/list-1mb", |b| {
        b.iter(|| yaml::parse_yaml(black_box(&big)).expect("parses"));
    });

    let df = one_file("Dockerfile");
    g.throughput(Throughput::Bytes(df.text.len() as u64));
    g.bench_function("dockerfile", |b| {
        b.iter(|| dockerfile::parse_dockerfile(black_box(&df)).expect("parses"));
    });

    let tf = terraform_sources();
    let bytes: usize = tf.iter().map(|s| s.text.len()).sum();
    g.throughput(Throughput::Bytes(bytes as u64));
    let opts = terraform::TerraformOptions::default();
    g.bench_function("terraform/domain-build", |b| {
        b.iter(|| {
            let out = terraform::build(black_box(&tf), &opts);
            assert!(out.errors.is_empty(), "{:?}", out.errors);
            out
        });
    });
    g.finish();
}

fn bench_evaluate(c: &mut Criterion) {
    let rules = isolint::rules::load_rules(&[], &Config::default()).expect("embedded rules");
    let mut g = c.benchmark_group("evaluate");

    // Terraform: one domain's resources (modules instantiated by every stack).
    let tf = terraform_sources();
    let tf_resources = terraform::build(&tf, &terraform::TerraformOptions::default()).resources;
    let tf_map = SourceMap::new(tf.clone());
    per_resource(&mut g, "terraform", &rules, &tf_resources, &tf_map);

    // Kubernetes: the workload file's objects.
    let k8s = one_file("k8s/workload.yaml");
    let docs = yaml::parse_yaml(&k8s).expect("parses");
    let k8s_resources = kubernetes::kubernetes_resources(&k8s, docs);
    let k8s_map = SourceMap::new(vec![k8s.clone()]);
    per_resource(&mut g, "kubernetes", &rules, &k8s_resources, &k8s_map);

    // Dockerfile and the text (secrets) resource of a source file.
    let df = one_file("Dockerfile");
    let doc = dockerfile::parse_dockerfile(&df).expect("parses");
    let mut df_resources = docker::dockerfile_resources(&df, doc);
    df_resources.push(isolint::model::text::text_resource(&df));
    let df_map = SourceMap::new(vec![df.clone()]);
    per_resource(&mut g, "dockerfile", &rules, &df_resources, &df_map);

    let src = files_under(corpus(), &|p| {
        p.parent().is_some_and(|d| d.ends_with("src"))
    });
    let src = sources(&src[..1]).remove(0);
    let text = vec![isolint::model::text::text_resource(&src)];
    let src_map = SourceMap::new(vec![src.clone()]);
    g.throughput(Throughput::Bytes(src.text.len() as u64));
    g.bench_function("text/secrets-source-file", |b| {
        b.iter(|| {
            Batch::evaluate(
                &rules,
                black_box(&text),
                &src_map,
                &EvalOptions { strict: false },
                Scope::All,
            )
        });
    });
    g.finish();
}

fn per_resource(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    rules: &isolint::rules::RuleSet,
    resources: &[Resource],
    sources: &SourceMap,
) {
    assert!(!resources.is_empty(), "{name}: no resources");
    g.throughput(Throughput::Elements(resources.len() as u64));
    g.bench_function(format!("{name}/{}-resources", resources.len()), |b| {
        b.iter(|| {
            // One batch on one thread, as a scan checks each file or Terraform root.
            Batch::evaluate(
                rules,
                black_box(resources),
                sources,
                &EvalOptions { strict: false },
                Scope::All,
            )
        });
    });
}

fn bench_startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.bench_function("load-embedded-rules", |b| {
        b.iter(|| isolint::rules::load_rules(&[], &Config::default()).expect("rules"));
    });
    g.finish();
}

/// The binary on the whole scale-0.1 corpus, as a user runs it.
fn bench_scan(c: &mut Criterion) {
    let bin = env!("CARGO_BIN_EXE_isolint");
    let dir = corpus();
    let run = |threads: &str| {
        let status = std::process::Command::new(bin)
            .args(["check", ".", "--format", "json", "--fail-on", "never"])
            .args(["--threads", threads])
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("isolint runs");
        assert!(status.success());
    };
    let mut g = c.benchmark_group("scan");
    g.bench_function("corpus-0.1/default-threads", |b| b.iter(|| run("0")));
    g.bench_function("corpus-0.1/one-thread", |b| b.iter(|| run("1")));
    let empty = tempfile::tempdir().expect("temp dir");
    g.bench_function("empty-dir", |b| {
        b.iter(|| {
            std::process::Command::new(bin)
                .args(["check", "."])
                .current_dir(empty.path())
                .stdout(std::process::Stdio::null())
                .status()
                .expect("isolint runs")
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench_parse, bench_evaluate, bench_startup, bench_scan
}
criterion_main!(benches);
