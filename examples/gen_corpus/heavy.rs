//! `--real-shaped`: the large files real infrastructure repositories carry and the base
//! mix lacks, per unit of scale (90 files, 1.6 MB): an operator's install bundle
//! (CustomResourceDefinitions with big schemas and a dozen workloads in one 900 KB
//! multi-document file), monitoring dashboards as JSON files and inside a ConfigMap, a
//! Helm chart, a generated `.tf.json` of 425 resources, and many small text files (docs,
//! properties, CSV data). Scale 1 is then 1,154 files and 3.1 MB instead of 1,064 files
//! and 1.5 MB: half of the bytes in a few large files, as in the public repositories the
//! README measures (a third of their 103 MB is CRD-heavy YAML), though their average file
//! (13 KB) is still larger than this one (2.7 KB).

use std::fmt::Write as _;

use super::{Rng, Writer, lorem, seed};

pub(super) fn heavy(w: &mut Writer, domain: &str, u: usize) {
    let base = format!("platform/{domain}");
    let mut r = seed(&[domain, "heavy"], u);
    w.write(
        &format!("{base}/operator/install.yaml"),
        &install_bundle(&mut r, domain),
    );
    for d in 0..2 {
        let json = dashboard(&mut r, &format!("{domain} service {d}"));
        w.write(&format!("{base}/dashboards/service-{d}.json"), &json);
        if d == 0 {
            w.write(
                &format!("{base}/dashboards/configmap.yaml"),
                &dashboard_configmap(domain, &json),
            );
        }
    }
    chart(w, &format!("{base}/charts/api"), &mut r, domain);
    w.write(
        &format!("{base}/generated/main.tf.json"),
        &tf_json(&mut r, domain),
    );
    for i in 0..40 {
        let mut text = format!("# {domain} note {i}\n\n");
        for _ in 0..r.range(4, 12) {
            let _ = write!(text, "{}\n\n", lorem(&mut r, 6));
        }
        w.write(&format!("{base}/docs/note-{i:02}.md"), &text);
    }
    for i in 0..30 {
        let mut text = String::new();
        for k in 0..r.range(20, 80) {
            let _ = writeln!(text, "{domain}.setting.{i}.{k}={}", r.below(100_000));
        }
        w.write(&format!("{base}/config/app-{i:02}.properties"), &text);
    }
    for i in 0..10 {
        let mut text = String::from("id,region,amount,status\n");
        for k in 0..r.range(200, 600) {
            let _ = writeln!(
                text,
                "{k},{},{}.{:02},{}",
                r.pick(&["eu-west-1", "us-east-1", "ap-south-1"]),
                r.below(10_000),
                r.below(100),
                r.pick(&["paid", "open", "void"])
            );
        }
        w.write(&format!("{base}/data/ledger-{i:02}.csv"), &text);
    }
}

/// CRDs whose schemas are most of the bytes, then the operator's workloads.
fn install_bundle(r: &mut Rng, domain: &str) -> String {
    let mut out = String::new();
    for c in 0..6 {
        let _ = write!(
            out,
            "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
             metadata:\n  name: widgets{c}.{domain}.example.com\nspec:\n  group: {domain}.example.com\n\
             \x20 names:\n    kind: Widget{c}\n    plural: widgets{c}\n  scope: Namespaced\n  versions:\n\
             \x20 - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n\
             \x20       type: object\n        properties:\n"
        );
        schema(&mut out, r, 10, 3);
    }
    for i in 0..12 {
        let privileged = r.chance(0.2);
        let _ = write!(
            out,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {domain}-operator-{i}\n\
             \x20 namespace: {domain}-system\n  labels: {{app: operator-{i}}}\nspec:\n  replicas: 2\n\
             \x20 selector:\n    matchLabels: {{app: operator-{i}}}\n  template:\n    metadata:\n\
             \x20     labels: {{app: operator-{i}}}\n    spec:\n      serviceAccountName: operator\n\
             \x20     containers:\n        - name: manager\n          image: registry.example.com/{domain}/operator:1.{i}.0\n\
             \x20         args: [--leader-elect, --metrics-bind-address=:8080]\n\
             \x20         securityContext: {{privileged: {privileged}, runAsNonRoot: true, readOnlyRootFilesystem: true}}\n\
             \x20         resources: {{limits: {{cpu: 500m, memory: 256Mi}}, requests: {{cpu: 100m, memory: 128Mi}}}}\n"
        );
    }
    out
}

/// Nested object properties, `width` per level, `depth` levels (about 90 KB for 10 × 3).
fn schema(out: &mut String, r: &mut Rng, width: usize, depth: usize) {
    fn level(out: &mut String, r: &mut Rng, width: usize, depth: usize, indent: usize) {
        let pad = " ".repeat(indent);
        for p in 0..width {
            let name = format!("field{p}{}", r.below(1000));
            if depth > 0 && p % 3 == 0 {
                let _ = write!(
                    out,
                    "{pad}{name}:\n{pad}  type: object\n{pad}  description: {}\n{pad}  properties:\n",
                    lorem(r, 1).trim_end_matches('.')
                );
                level(out, r, width, depth - 1, indent + 4);
            } else {
                let ty = *r.pick(&["string", "integer", "boolean"]);
                let _ = write!(
                    out,
                    "{pad}{name}:\n{pad}  type: {ty}\n{pad}  description: {}\n",
                    lorem(r, 1).trim_end_matches('.')
                );
            }
        }
    }
    level(out, r, width, depth, 10);
}

/// A monitoring dashboard: panels with queries and layout (about 150 KB).
fn dashboard(r: &mut Rng, title: &str) -> String {
    let mut panels = Vec::new();
    for p in 0..300 {
        panels.push(format!(
            "    {{\"id\": {p}, \"type\": \"timeseries\", \"title\": \"Panel {p}\", \
             \"gridPos\": {{\"x\": {}, \"y\": {}, \"w\": 12, \"h\": 8}}, \
             \"targets\": [{{\"expr\": \"sum(rate(http_requests_total{{job=\\\"{title}\\\", code=~\\\"5..\\\"}}[5m])) by (route)\", \"refId\": \"A\"}}], \
             \"fieldConfig\": {{\"defaults\": {{\"unit\": \"reqps\", \"thresholds\": {{\"steps\": [{{\"color\": \"green\", \"value\": null}}, {{\"color\": \"red\", \"value\": {}}}]}}}}}}}}",
            (p % 2) * 12,
            (p / 2) * 8,
            r.below(500)
        ));
    }
    format!(
        "{{\n  \"title\": \"{title}\",\n  \"schemaVersion\": 39,\n  \"panels\": [\n{}\n  ]\n}}\n",
        panels.join(",\n")
    )
}

fn dashboard_configmap(domain: &str, json: &str) -> String {
    let mut out = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {domain}-dashboards\n  \
         namespace: monitoring\n  labels: {{grafana_dashboard: \"1\"}}\ndata:\n  service.json: |\n"
    );
    for line in json.lines() {
        let _ = writeln!(out, "    {line}");
    }
    out
}

fn chart(w: &mut Writer, dir: &str, r: &mut Rng, domain: &str) {
    w.write(
        &format!("{dir}/Chart.yaml"),
        &format!(
            "apiVersion: v2\nname: {domain}-api\nversion: 0.{}.0\n",
            r.below(20)
        ),
    );
    w.write(
        &format!("{dir}/values.yaml"),
        "image:\n  repository: registry.example.com/api\n  tag: \"\"\nreplicaCount: 2\n\
         securityContext:\n  runAsNonRoot: true\n  readOnlyRootFilesystem: true\n",
    );
    w.write(
        &format!("{dir}/templates/_helpers.tpl"),
        "{{- define \"api.fullname\" -}}\n{{ .Release.Name }}-{{ .Chart.Name }}\n{{- end -}}\n",
    );
    w.write(
        &format!("{dir}/templates/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"api.fullname\" . }}\n\
         spec:\n  replicas: {{ .Values.replicaCount }}\n  selector:\n    matchLabels: {app: api}\n\
         \x20 template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n\
         \x20       - name: api\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"\n\
         \x20         securityContext:\n            {{- toYaml .Values.securityContext | nindent 12 }}\n",
    );
    w.write(
        &format!("{dir}/templates/service.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"api.fullname\" . }}\n\
         spec:\n  selector: {app: api}\n  ports:\n    - port: 80\n      targetPort: 8080\n",
    );
}

/// Generated Terraform JSON: many buckets and their companions (about 200 KB).
fn tf_json(r: &mut Rng, domain: &str) -> String {
    let mut buckets = Vec::new();
    let mut versioning = Vec::new();
    for b in 0..250 {
        buckets.push(format!(
            "      \"b{b}\": {{\"bucket\": \"acme-{domain}-gen-{b}\", \"tags\": {{\"team\": \"{domain}\", \"index\": \"{b}\"}}}}"
        ));
        if r.chance(0.7) {
            versioning.push(format!(
                "      \"b{b}\": {{\"bucket\": \"${{aws_s3_bucket.b{b}.id}}\", \"versioning_configuration\": {{\"status\": \"Enabled\"}}}}"
            ));
        }
    }
    format!(
        "{{\n  \"resource\": {{\n    \"aws_s3_bucket\": {{\n{}\n    }},\n    \"aws_s3_bucket_versioning\": {{\n{}\n    }}\n  }}\n}}\n",
        buckets.join(",\n"),
        versioning.join(",\n")
    )
}
