//! Docker Compose services become one `compose_service` resource each, with `ports` and
//! `volumes` parsed from short syntax (`127.0.0.1:8080:80/tcp`, `/src:/dst:ro`) and long
//! syntax alike into `ports_parsed` and `volumes_parsed`.
//!
//! Values are interpolated as Compose does: `${VAR:-default}` and `${VAR-default}` take
//! their default (what the file says runs when nothing overrides it), `$$` is a `$`,
//! `$HOME` and `$PWD` become `~` and `.` (whatever their value, they name the user's home
//! and the project directory), and any other variable makes the whole value unknown.

use std::sync::Arc;

use crate::model::{Family, Resource};
use crate::parse::node::{Entry, Node, Value};
use crate::source::{SourceText, Span};

/// One resource per service. Body: the service Map as written, plus `ports_parsed`
/// (Maps of `host_ip`?, `published`?, `target`, `protocol`) when it has `ports`, and
/// `volumes_parsed` (Maps of `type`, `source`?, `target`, `mode`?, `read_only`) when it
/// has `volumes`, and `extra_hosts_parsed` (`name:ip` strings, from the list or the map
/// form). Parsed Maps carry the span of the item they came from.
pub fn compose_resources(src: &SourceText, doc: Node) -> Vec<Resource> {
    let legacy = doc.get("services").is_none() && crate::discover::sniff::is_legacy_compose(&doc);
    let services = if legacy {
        doc.entries()
    } else {
        doc.get("services").map_or(&[][..], Node::entries)
    };
    let group: Arc<str> = Arc::from(format!("file:{}", src.display_path));
    let mut out = Vec::new();
    for service in services {
        let value = interpolate(&service.value);
        let Value::Map(entries) = &value.value else {
            continue;
        };
        let mut entries = entries.clone();
        let parsed = |key: &str, f: fn(&SourceText, &Node) -> Option<Node>| {
            let list = value.get(key)?;
            let items = list.items().iter().filter_map(|i| f(src, i)).collect();
            Some(entry(
                &format!("{key}_parsed"),
                Node::new(Value::List(items), list.span),
            ))
        };
        entries.extend(parsed("ports", port));
        entries.extend(parsed("volumes", volume));
        entries.extend(extra_hosts(&value));
        out.push(Resource {
            kind: "compose_service".to_string(),
            family: Family::Compose,
            address: format!("services.{}", service.key),
            span: service.value.span,
            header: service.key_span,
            body: Node::new(Value::Map(entries), service.value.span),
            group: group.clone(),
        });
    }
    out
}

/// `extra_hosts_parsed`: the list form as written (`name:ip`, `name=ip`) and the map form
/// (`name: ip`) as `name:ip` strings, so rules read both with one path.
fn extra_hosts(service: &Node) -> Option<Entry> {
    let hosts = service.get("extra_hosts")?;
    let items = match &hosts.value {
        Value::List(items) => items.clone(),
        Value::Map(entries) => entries
            .iter()
            .map(|e| match e.value.scalar_text() {
                Some(ip) => Node::string(format!("{}:{ip}", e.key), e.value.span),
                None => Node::unknown("extra_hosts address", Vec::new(), e.value.span),
            })
            .collect(),
        _ => return None,
    };
    Some(entry(
        "extra_hosts_parsed",
        Node::new(Value::List(items), hosts.span),
    ))
}

/// `node` with Compose variable interpolation applied to every string value.
fn interpolate(node: &Node) -> Node {
    match &node.value {
        Value::String(s) if s.contains('$') => match interpolate_str(s) {
            Some(v) => Node::string(v, node.span),
            None => Node::unknown("compose variable without a default", Vec::new(), node.span),
        },
        Value::List(items) => Node::new(
            Value::List(items.iter().map(interpolate).collect()),
            node.span,
        ),
        Value::Map(entries) => Node::new(
            Value::Map(
                entries
                    .iter()
                    .map(|e| Entry {
                        value: interpolate(&e.value),
                        ..e.clone()
                    })
                    .collect(),
            ),
            node.span,
        ),
        _ => node.clone(),
    }
}

/// The interpolated text, or None when it depends on a variable without a default.
fn interpolate_str(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (name, default, r) = if let Some(b) = after.strip_prefix('{') {
            let close = b.find('}')?;
            let inner = &b[..close];
            let name_end = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let op = &inner[name_end..];
            let default = op
                .strip_prefix(":-")
                .or_else(|| op.strip_prefix('-'))
                .map(str::to_string);
            if !op.is_empty() && default.is_none() {
                // `:?err`, `?err`, `:+alt`: the value depends on the variable.
                return None;
            }
            (&inner[..name_end], default, &b[close + 1..])
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if end == 0 || after.starts_with(|c: char| c.is_ascii_digit()) {
                out.push('$');
                rest = after;
                continue;
            }
            (&after[..end], None, &after[end..])
        };
        match (name, default) {
            (_, Some(d)) if !d.contains('$') => out.push_str(&d),
            ("HOME", None) => out.push('~'),
            ("PWD", None) => out.push('.'),
            _ => return None,
        }
        rest = r;
    }
    out.push_str(rest);
    Some(out)
}

fn entry(key: &str, value: Node) -> Entry {
    Entry {
        key: key.to_string(),
        key_span: value.span,
        value,
    }
}

/// The span of `text[a..b]` inside a scalar item, when the item's source text is the
/// scalar itself (plain or quoted); the item's span otherwise.
fn sub(src: &SourceText, item: &Node, text: &str, a: usize, b: usize) -> Span {
    let raw = src.text.get(item.span.range()).unwrap_or_default();
    let quoted = raw.len() == text.len() + 2 && raw.get(1..raw.len() - 1) == Some(text);
    let base = match () {
        _ if raw == text => item.span.start as usize,
        _ if quoted => item.span.start as usize + 1,
        _ => return item.span,
    };
    Span::new(item.span.file, base + a, base + b)
}

/// Entries from (key, optional (text, range in the item's scalar)) pairs.
type Part<'a> = (&'a str, Option<(&'a str, usize, usize)>);

fn parsed_entries(src: &SourceText, item: &Node, text: &str, parts: Vec<Part<'_>>) -> Vec<Entry> {
    parts
        .into_iter()
        .filter_map(|(k, v)| {
            let (s, a, b) = v?;
            Some(entry(k, Node::string(s, sub(src, item, text, a, b))))
        })
        .collect()
}

/// A long-syntax field rendered as text, keeping its own span.
fn field(item: &Node, key: &str) -> Option<Node> {
    let n = item.get(key)?;
    Some(Node::string(n.scalar_text()?, n.span))
}

/// `[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]` or a long-syntax Map.
fn port(src: &SourceText, item: &Node) -> Option<Node> {
    if let Value::Map(_) = item.value {
        let mut entries: Vec<Entry> = [
            ("host_ip", "host_ip"),
            ("published", "published"),
            ("target", "target"),
        ]
        .into_iter()
        .filter_map(|(k, from)| Some(entry(k, field(item, from)?)))
        .collect();
        let protocol = field(item, "protocol").unwrap_or_else(|| Node::string("tcp", item.span));
        entries.push(entry("protocol", protocol));
        return Some(Node::new(Value::Map(entries), item.span));
    }
    let text = item.scalar_text().filter(|_| !item.is_null())?;
    let t = text.as_str();
    let (rest, protocol) = match t.rfind('/') {
        Some(i) => (&t[..i], Some((&t[i + 1..], i + 1, t.len()))),
        None => (t, None),
    };
    let target_start = rest.rfind(':').map_or(0, |i| i + 1);
    let target = Some((&rest[target_start..], target_start, rest.len()));
    let (mut ip, mut published) = (None, None);
    if target_start > 0 {
        let head = &rest[..target_start - 1];
        let pub_start = head.rfind(':').map_or(0, |i| i + 1);
        published = Some((&head[pub_start..], pub_start, head.len())).filter(|p| !p.0.is_empty());
        if pub_start > 0 {
            let raw = &head[..pub_start - 1];
            let (a, b) = match raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                Some(inner) => (1, 1 + inner.len()),
                None => (0, raw.len()),
            };
            ip = Some((&raw[a..b], a, b)).filter(|p| !p.0.is_empty());
        }
    }
    let protocol = protocol.unwrap_or(("tcp", 0, t.len()));
    let parts = vec![
        ("host_ip", ip),
        ("published", published),
        ("target", target),
        ("protocol", Some(protocol)),
    ];
    let entries = parsed_entries(src, item, t, parts);
    Some(Node::new(Value::Map(entries), item.span))
}

/// `[SOURCE:]TARGET[:MODE]` (Windows drive letters kept in paths) or a long-syntax Map.
fn volume(src: &SourceText, item: &Node) -> Option<Node> {
    if let Value::Map(_) = item.value {
        let mut entries: Vec<Entry> = ["source", "target"]
            .into_iter()
            .filter_map(|k| Some(entry(k, field(item, k)?)))
            .collect();
        let source = item
            .get("source")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let kind =
            field(item, "type").unwrap_or_else(|| Node::string(volume_type(source), item.span));
        entries.insert(0, entry("type", kind));
        let ro = item
            .get("read_only")
            .map_or(Node::new(Value::Bool(false), item.span), |n| {
                Node::new(Value::Bool(n.as_bool() == Some(true)), n.span)
            });
        entries.push(entry("read_only", ro));
        return Some(Node::new(Value::Map(entries), item.span));
    }
    let t = item.as_str()?;
    let mut parts: Vec<(&str, usize, usize)> = Vec::new();
    let mut start = 0;
    for (i, c) in t.char_indices() {
        let drive = i == start + 1 && t[start..i].chars().all(|c| c.is_ascii_alphabetic());
        if c == ':' && !drive && t.len() > 2 {
            parts.push((&t[start..i], start, i));
            start = i + 1;
        }
    }
    parts.push((&t[start..], start, t.len()));
    if parts.len() > 3 || parts.iter().any(|p| p.0.is_empty()) {
        return None;
    }
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, Some(*target), None),
        [source, target] => (Some(*source), Some(*target), None),
        [source, target, mode] => (Some(*source), Some(*target), Some(*mode)),
        _ => return None,
    };
    let read_only = mode.is_some_and(|m| m.0.split(',').any(|o| o == "ro"));
    let kind = volume_type(source.map_or("", |s| s.0));
    let mut entries = vec![entry("type", Node::string(kind, item.span))];
    let parts = vec![("source", source), ("target", target), ("mode", mode)];
    entries.extend(parsed_entries(src, item, t, parts));
    let ro_span = mode.map_or(item.span, |m| sub(src, item, t, m.1, m.2));
    entries.push(entry(
        "read_only",
        Node::new(Value::Bool(read_only), ro_span),
    ));
    Some(Node::new(Value::Map(entries), item.span))
}

/// `bind` for paths (`/`, `.`, `~`, `\\`, `C:`), `volume` for names and anonymous volumes.
fn volume_type(source: &str) -> &'static str {
    let b = source.as_bytes();
    let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
    if drive || source.starts_with(['/', '.', '~']) || source.starts_with("\\\\") {
        "bind"
    } else {
        "volume"
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::sniff::is_compose;
    use crate::source::FileId;

    const TEXT: &str = "services:\n  db:\n    image: postgres\n    ports:\n      - \"0.0.0.0:5432:5432\"\n      - 5433:5433\n      - \"127.0.0.1:8080:80/udp\"\n      - 8080\n      - \"[::1]:9000:9000\"\n      - target: 80\n        published: 8081\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n      - data:/var/lib/data\n      - /anon\n      - C:\\x:/y\n      - type: bind\n        source: ./src\n        target: /src\n        read_only: true\n";

    fn src() -> SourceText {
        SourceText::new(FileId(2), "docker-compose.yml", "x".into(), Arc::from(TEXT))
    }

    /// A string node at the first occurrence of `needle` (quoted or not) in TEXT.
    fn at(v: &str, needle: &str) -> Node {
        let i = TEXT.find(needle).unwrap();
        Node::string(v, Span::new(FileId(2), i, i + needle.len()))
    }

    fn map(entries: Vec<(&str, Node)>, span: Span) -> Node {
        let entries = entries
            .into_iter()
            .map(|(k, value)| Entry {
                key: k.into(),
                key_span: value.span,
                value,
            })
            .collect();
        Node::new(Value::Map(entries), span)
    }

    fn list(items: Vec<Node>) -> Node {
        let span = items.iter().fold(items[0].span, |a, i| a.join(i.span));
        Node::new(Value::List(items), span)
    }

    fn doc() -> Node {
        let n = |v: f64, needle: &str| Node {
            value: Value::Number(v),
            ..at("", needle)
        };
        let port_map = map(
            vec![
                ("target", n(80.0, "80\n")),
                ("published", n(8081.0, "8081")),
            ],
            at("", "target: 80").span,
        );
        let ports = list(vec![
            at("0.0.0.0:5432:5432", "\"0.0.0.0:5432:5432\""),
            at("5433:5433", "5433:5433"),
            at("127.0.0.1:8080:80/udp", "\"127.0.0.1:8080:80/udp\""),
            n(8080.0, "8080\n"),
            at("[::1]:9000:9000", "\"[::1]:9000:9000\""),
            port_map,
        ]);
        let vol_map = map(
            vec![
                ("type", at("bind", "bind")),
                ("source", at("./src", "./src")),
                ("target", at("/src", "/src\n")),
                (
                    "read_only",
                    Node::new(Value::Bool(true), at("", "true").span),
                ),
            ],
            at("", "type: bind").span,
        );
        let volumes = list(vec![
            at(
                "/var/run/docker.sock:/var/run/docker.sock:ro",
                "/var/run/docker.sock:/var/run/docker.sock:ro",
            ),
            at("data:/var/lib/data", "data:/var/lib/data"),
            at("/anon", "/anon"),
            at("C:\\x:/y", "C:\\x:/y"),
            vol_map,
        ]);
        let db = map(
            vec![
                ("image", at("postgres", "postgres")),
                ("ports", ports),
                ("volumes", volumes),
            ],
            at("", "image").span,
        );
        let services = map(vec![("db", db)], at("", "db").span);
        let mut d = map(
            vec![("services", services)],
            Span::new(FileId(2), 0, TEXT.len()),
        );
        if let Value::Map(es) = &mut d.value
            && let Value::Map(svc) = &mut es[0].value.value
        {
            svc[0].key_span = at("", "db").span;
        }
        d
    }

    fn get<'a>(n: &'a Node, path: &str) -> Option<&'a str> {
        n.get_path(path).and_then(Node::as_str)
    }

    #[test]
    fn extra_hosts_both_forms() {
        let text = "services:\n  a:\n    image: x\n    extra_hosts:\n      m.internal: 169.254.169.254\n  b:\n    image: x\n    extra_hosts: [\"n:10.0.0.1\"]\n";
        let src = SourceText::new(FileId(2), "compose.yaml", "x".into(), Arc::from(text));
        let doc = crate::parse::yaml::parse_yaml(&src).unwrap().remove(0);
        let rs = compose_resources(&src, doc);
        let hosts = |i: usize| -> Vec<String> {
            rs[i]
                .body
                .get("extra_hosts_parsed")
                .unwrap()
                .items()
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        };
        assert_eq!(hosts(0), ["m.internal:169.254.169.254"]);
        assert_eq!(hosts(1), ["n:10.0.0.1"]);
    }

    #[test]
    fn interpolation() {
        let i = |t: &str| interpolate_str(t);
        assert_eq!(i("${TAG:-1.2}").as_deref(), Some("1.2"));
        assert_eq!(i("app:${TAG-dev}").as_deref(), Some("app:dev"));
        assert_eq!(i("$${NOT_A_VAR} $$x").as_deref(), Some("${NOT_A_VAR} $x"));
        assert_eq!(
            i("${HOME}/.ssh:/root/.ssh").as_deref(),
            Some("~/.ssh:/root/.ssh")
        );
        assert_eq!(i("$PWD/data").as_deref(), Some("./data"));
        assert_eq!(i("${TAG}"), None);
        assert_eq!(i("x-$TAG"), None);
        assert_eq!(i("${TAG:?set it}"), None);
        assert_eq!(i("${A:-${B}}"), None);
        assert_eq!(i("price $5").as_deref(), Some("price $5"));
    }

    #[test]
    fn detection() {
        let d = doc();
        assert!(is_compose(&d, "deploy/docker-compose.prod.yml"));
        assert!(is_compose(&d, "stack.yaml"));
        let legacy = map(
            vec![(
                "web",
                map(
                    vec![("image", at("postgres", "postgres"))],
                    at("", "db").span,
                ),
            )],
            at("", "db").span,
        );
        assert!(is_compose(&legacy, "docker-compose.yml"));
        assert!(!is_compose(&legacy, "values.yaml"));
        assert_eq!(compose_resources(&src(), legacy)[0].address, "services.web");
        assert!(!is_compose(&at("x", "db"), "compose.yaml"));
    }

    #[test]
    fn services_ports_and_volumes() {
        let s = src();
        let rs = compose_resources(&s, doc());
        assert_eq!(rs.len(), 1);
        let r = &rs[0];
        assert_eq!(
            (r.kind.as_str(), r.address.as_str()),
            ("compose_service", "services.db")
        );
        assert_eq!(&s.text[r.header.range()], "db");
        assert_eq!(&*r.group, "file:docker-compose.yml");
        let ports = r.body.get("ports_parsed").unwrap().items();
        assert_eq!(ports.len(), 6);
        assert_eq!(get(&ports[0], "host_ip"), Some("0.0.0.0"));
        assert_eq!(
            &s.text[ports[0].get("host_ip").unwrap().span.range()],
            "0.0.0.0"
        );
        assert_eq!(get(&ports[1], "published"), Some("5433"));
        assert!(ports[1].get("host_ip").is_none());
        assert_eq!(get(&ports[2], "protocol"), Some("udp"));
        assert_eq!(get(&ports[2], "target"), Some("80"));
        assert_eq!(&s.text[ports[2].get("target").unwrap().span.range()], "80");
        assert!(ports[3].get("published").is_none());
        assert_eq!(get(&ports[3], "target"), Some("8080"));
        assert_eq!(get(&ports[4], "host_ip"), Some("::1"));
        assert_eq!(get(&ports[5], "published"), Some("8081"));
        assert_eq!(get(&ports[5], "protocol"), Some("tcp"));
        let vols = r.body.get("volumes_parsed").unwrap().items();
        assert_eq!(get(&vols[0], "source"), Some("/var/run/docker.sock"));
        assert_eq!(get(&vols[0], "mode"), Some("ro"));
        assert_eq!(vols[0].get("read_only").and_then(Node::as_bool), Some(true));
        assert_eq!(get(&vols[0], "type"), Some("bind"));
        assert_eq!(get(&vols[1], "type"), Some("volume"));
        assert_eq!(get(&vols[2], "target"), Some("/anon"));
        assert!(vols[2].get("source").is_none());
        assert_eq!(get(&vols[3], "source"), Some("C:\\x"));
        assert_eq!(get(&vols[3], "type"), Some("bind"));
        assert_eq!(get(&vols[4], "source"), Some("./src"));
        assert_eq!(vols[4].get("read_only").and_then(Node::as_bool), Some(true));
        assert_eq!(get(&r.body, "image"), Some("postgres"));
    }
}
