//! Criterion benchmarks for the hot paths (filled in with the benchmark issue).

use criterion::{Criterion, criterion_group, criterion_main};

fn yaml_parse(c: &mut Criterion) {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n";
    let src = isolint::source::SourceText::new(
        isolint::source::FileId(0),
        "d.yaml".into(),
        "d.yaml".into(),
        std::sync::Arc::from(text),
    );
    c.bench_function("parse/yaml/deployment", |b| {
        b.iter(|| isolint::parse::yaml::parse_yaml(&src));
    });
}

criterion_group!(benches, yaml_parse);
criterion_main!(benches);
