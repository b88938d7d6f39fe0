//! Rule-pack text → `rules::load::load` (validation, check compilation); packs that load
//! are then evaluated against a fixed set of resources (the rule engine).
#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use isolint::controls::Catalogue;
use isolint::evaluate::{Batch, EvalOptions};
use isolint::model::{Resource, docker, kubernetes, terraform, text};
use isolint::parse::{dockerfile, yaml};
use isolint::rules::RuleSet;
use isolint::rules::load::{PackSource, load};
use isolint::source::{FileId, SourceMap, SourceText};
use libfuzzer_sys::fuzz_target;

const TF: &str = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  tags = { owner = \"a\" }\n}\nresource \"aws_s3_bucket_versioning\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\nresource \"aws_security_group\" \"s\" {\n  ingress {\n    from_port = 22\n    to_port = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n";
const K8S: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: app\n          image: nginx:latest\n          securityContext: {privileged: true}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {podSelector: {}}\n";
const DOCKER: &str =
    "FROM alpine AS b\nRUN curl x | sh\nENV PASSWORD=hunter2\nFROM scratch\nCOPY --from=b /a /a\n";

struct World {
    sources: SourceMap,
    resources: Vec<Resource>,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let src = |i: u32, name: &str, text: &str| {
            Arc::new(SourceText::new(
                FileId(i),
                name.into(),
                name.into(),
                Arc::from(text),
            ))
        };
        let (tf, k8s, df) = (
            src(0, "main.tf", TF),
            src(1, "k8s.yaml", K8S),
            src(2, "Dockerfile", DOCKER),
        );
        let mut resources = terraform::build(&[tf.clone()], &Default::default()).resources;
        let docs = yaml::parse_yaml(&k8s).expect("fixed input parses");
        resources.extend(kubernetes::kubernetes_resources(&k8s, docs));
        let doc = dockerfile::parse_dockerfile(&df).expect("fixed input parses");
        resources.extend(docker::dockerfile_resources(&df, doc));
        for s in [&tf, &k8s, &df] {
            resources.push(text::text_resource(s));
        }
        World {
            sources: SourceMap::new(vec![tf, k8s, df]),
            resources,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let pack = PackSource {
        path: PathBuf::from("fuzz/pack.yaml"),
        pack: "fuzz/pack".into(),
        text: text.to_owned(),
    };
    let Ok(rules) = load(&[pack], Catalogue::get_embedded()) else {
        return;
    };
    let w = world();
    let set = RuleSet::new(rules);
    for strict in [false, true] {
        let _ = Batch::evaluate(&set, &w.resources, &w.sources, &EvalOptions { strict });
    }
});
