//! The ISO/IEC 27002:2022 control catalogue (IDs, titles, themes), embedded from
//! `rules/iso27002-2022.yaml`: validates rule packs and drives `isolint controls`.

use std::sync::{Arc, OnceLock};

use crate::parse::yaml::parse_yaml;
use crate::source::{FileId, SourceText};

const CATALOGUE_YAML: &str = include_str!("../rules/iso27002-2022.yaml");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    pub id: String,
    pub title: String,
    /// organizational, people, physical, technological
    pub theme: String,
    /// full, partial, none: how much of it infrastructure code can show.
    pub observable: String,
}

#[derive(Debug, Default)]
pub struct Catalogue {
    controls: Vec<Control>,
}

impl Catalogue {
    /// The embedded catalogue, parsed once.
    pub fn get_embedded() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| Catalogue::parse(CATALOGUE_YAML))
    }

    fn parse(text: &str) -> Catalogue {
        let src = SourceText::new(
            FileId(0),
            "rules/iso27002-2022.yaml",
            "rules/iso27002-2022.yaml".into(),
            Arc::from(text),
        );
        let docs = parse_yaml(&src).unwrap_or_default();
        let field = |n: &crate::parse::node::Node, k: &str| {
            n.get(k).and_then(|v| v.scalar_text()).unwrap_or_default()
        };
        let mut controls: Vec<Control> = docs
            .iter()
            .filter_map(|d| d.get("controls"))
            .flat_map(|c| c.items())
            .map(|n| Control {
                id: field(n, "id"),
                title: field(n, "title"),
                theme: field(n, "theme"),
                observable: field(n, "observable"),
            })
            .collect();
        controls.sort_by_key(|c| sort_key(&c.id));
        Catalogue { controls }
    }

    pub fn get(&self, id: &str) -> Option<&Control> {
        self.controls.iter().find(|c| c.id == id)
    }

    /// Controls in numeric order (5.2 before 5.10).
    pub fn all(&self) -> &[Control] {
        &self.controls
    }
}

/// Numeric ordering key for a control ID.
pub fn sort_key(id: &str) -> (u32, u32) {
    let mut parts = id.split('.').map(|p| p.parse::<u32>().unwrap_or(u32::MAX));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_has_all_93_controls_in_order() {
        let c = Catalogue::get_embedded();
        assert_eq!(c.all().len(), 93);
        assert_eq!(
            c.get("8.24").map(|c| c.title.as_str()),
            Some("Use of cryptography")
        );
        let ids: Vec<&str> = c.all().iter().map(|c| c.id.as_str()).collect();
        let pos = |id| ids.iter().position(|x| *x == id).unwrap();
        assert!(pos("5.2") < pos("5.10"));
        assert_eq!(
            c.all()
                .iter()
                .filter(|c| c.theme == "technological")
                .count(),
            34
        );
    }
}
