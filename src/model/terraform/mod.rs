//! Terraform: files grouped into module directories, evaluated with variables, locals,
//! `count` / `for_each`, `dynamic` blocks and local module calls, into `Resource`s.
//!
//! Body shape: a resource's body is a map of its attributes (evaluated, three-valued:
//! what cannot be known statically is `Unknown`, with the addresses it refers to in
//! `refs`) and its nested blocks, each block type one entry holding a list of maps (one
//! per occurrence; `_labels` when the block has labels; `_dynamic_unknown: true` when a
//! `dynamic` block's collection is unknown). Every span in a body lies in the resource's
//! own file: values reached through `var.`/`local.`/`each.` point at the expression that
//! refers to them.

mod blocks;
mod context;
mod eval;
mod func_coll;
mod func_enc;
mod func_fmt;
mod functions;
mod load;
mod modules;
mod optional;
pub mod plan;
mod references;
mod template;
mod traversal;
mod value;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_eval;
#[cfg(test)]
mod tests_fixtures;
#[cfg(test)]
mod tests_limits;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use self::load::{Dir, load_vars};
use self::modules::{Out, World, cli_value, is_local, literal_source, root_vars};
pub(crate) use self::modules::{local_source_literals, normalize};
pub use self::plan::plan_resources;
pub use self::references::ManagedAddresses;
use crate::error::{FileError, Notice};
use crate::model::Resource;
use crate::source::{FileId, SourceText};

#[derive(Clone, Debug, Default)]
pub struct TerraformOptions {
    /// `--var-file` paths, already read by the caller: applied to every root module, in order.
    pub var_files: Vec<Arc<SourceText>>,
    /// `--var name=value`, raw strings as Terraform takes them (value parsed as HCL
    /// expression if it parses, else string).
    pub vars: Vec<(String, String)>,
    /// Files of local modules that lie outside the scanned paths (discovery's
    /// `module_only`): their directories are evaluated only through a caller, never as
    /// roots, and their problems are reported only when a root reaches them.
    pub module_only: HashSet<FileId>,
}

#[derive(Debug, Default)]
pub struct TerraformOutput {
    pub resources: Vec<Resource>,
    pub errors: Vec<FileError>,
    pub notices: Vec<Notice>,
}

/// The root a Terraform resource of a module instance was reached from (its directory,
/// or the plan file, as shown); `None` for a root's own resources and anything else.
/// Resources of one instance share the group `tf:<root>:<module prefix>` (see `World::run`
/// and the plan mapping), which is what this reads.
pub fn caller_root(r: &Resource) -> Option<&str> {
    if r.family != crate::model::Family::Terraform {
        return None;
    }
    let (root, prefix) = r.group.strip_prefix("tf:")?.split_once(':')?;
    (!prefix.is_empty()).then_some(root)
}

/// Stack for evaluation threads: expressions, locals and module calls recurse.
const STACK_SIZE: usize = 64 << 20;

/// Builds the resources of every Terraform file of the scan (`.tf`, `.tf.json`,
/// `.tfvars`, `.tfvars.json`, any directories).
pub fn build(files: &[Arc<SourceText>], opts: &TerraformOptions) -> TerraformOutput {
    let names: HashMap<FileId, Arc<str>> = files
        .iter()
        .chain(&opts.var_files)
        .map(|f| (f.id, f.display_path.clone()))
        .collect();
    let built = build_each(files, opts, |resources| resources);
    let mut out = TerraformOutput {
        resources: built.per_root.into_iter().flatten().collect(),
        errors: built.errors,
        notices: built.notices,
    };
    let path_of = |id: FileId| names.get(&id).cloned().unwrap_or_default();
    out.resources
        .sort_by_cached_key(|r| (path_of(r.span.file), r.span.start));
    out
}

/// What `build_each` returns: `per_root` results in root order, plus the problems.
#[derive(Debug)]
pub struct Built<T> {
    pub per_root: Vec<T>,
    pub errors: Vec<FileError>,
    pub notices: Vec<Notice>,
}

/// Like `build`, but hands each root's resources (the root and its module instances,
/// which only relate to each other) to `per_root` as soon as the root is evaluated, so a
/// scan never holds the resources of every root at once. Syntax trees are dropped before
/// this returns.
pub fn build_each<T: Send>(
    files: &[Arc<SourceText>],
    opts: &TerraformOptions,
    per_root: impl Fn(Vec<Resource>) -> T + Sync,
) -> Built<T> {
    // Its own pool for the deep stacks, as wide as the caller's (`--threads`).
    match rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .num_threads(rayon::current_num_threads())
        .build()
    {
        Ok(pool) => pool.install(|| build_in_pool(files, opts, &per_root)),
        Err(_) => build_in_pool(files, opts, &per_root),
    }
}

fn dir_display(src: &SourceText) -> String {
    match src.display_path.rsplit_once('/') {
        Some((d, _)) if !d.is_empty() => d.to_owned(),
        _ => ".".to_owned(),
    }
}

fn build_in_pool<T: Send>(
    files: &[Arc<SourceText>],
    opts: &TerraformOptions,
    per_root: &(impl Fn(Vec<Resource>) -> T + Sync),
) -> Built<T> {
    let mut names: HashMap<FileId, String> = HashMap::new();
    for f in files.iter().chain(&opts.var_files) {
        names.insert(f.id, f.display_path.to_string());
    }
    let names = Arc::new(names);

    // Group by directory, in a stable order.
    let mut groups: Vec<(PathBuf, String, Vec<Arc<SourceText>>)> = Vec::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    for f in files {
        let path = normalize(f.path.parent().unwrap_or(std::path::Path::new(".")));
        let i = *by_path.entry(path.clone()).or_insert_with(|| {
            groups.push((path, dir_display(f), Vec::new()));
            groups.len() - 1
        });
        groups[i].2.push(f.clone());
    }
    groups.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));

    let mut out = Built {
        per_root: Vec::new(),
        errors: Vec::new(),
        notices: Vec::new(),
    };
    let mut var_files = Vec::new();
    for f in &opts.var_files {
        match load_vars(f) {
            Ok(attrs) => var_files.push(attrs),
            Err(e) => out.errors.push(e),
        }
    }
    let cli: Vec<_> = opts
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), cli_value(v)))
        .collect();
    // Directories that may call each other are parsed, evaluated and dropped together,
    // one such component at a time per worker: memory follows the largest component, not
    // every module of the scan.
    let done: Vec<Component<T>> = components(&groups)
        .into_par_iter()
        .map(|members| {
            let part: Vec<&Group> = members.iter().map(|&i| &groups[i]).collect();
            component(&part, opts, &names, &var_files, &cli, per_root)
        })
        .collect();
    for c in done {
        out.errors.extend(c.errors);
        out.notices.extend(c.notices);
        out.per_root.extend(c.per_root);
    }
    out.errors.sort();
    out.errors.dedup();
    out.notices.sort();
    out.notices.dedup();
    out
}

/// A directory's Terraform files: (path, display path, files).
type Group = (PathBuf, String, Vec<Arc<SourceText>>);

/// What one component of the call graph gave: per root, and its problems.
struct Component<T> {
    per_root: Vec<T>,
    errors: Vec<FileError>,
    notices: Vec<Notice>,
}

/// The groups that may call each other, as lists of indices into `groups` (ascending):
/// the connected components of the call graph the prefilter finds (a literal local
/// `source` anywhere in a file counts as a call, so a component is never too small).
fn components(groups: &[Group]) -> Vec<Vec<usize>> {
    let by_path: HashMap<&PathBuf, usize> =
        groups.iter().enumerate().map(|(i, g)| (&g.0, i)).collect();
    let edges: Vec<Vec<usize>> = groups
        .par_iter()
        .map(|(path, _, files)| {
            files
                .iter()
                .flat_map(|f| local_source_literals(f.text.as_bytes()))
                .filter_map(|s| by_path.get(&normalize(&path.join(s))).copied())
                .collect()
        })
        .collect();
    // Union-find with path halving.
    let mut parent: Vec<usize> = (0..groups.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (from, to) in edges.iter().enumerate() {
        for &t in to {
            let (a, b) = (find(&mut parent, from), find(&mut parent, t));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..groups.len() {
        let root = find(&mut parent, i);
        members.entry(root).or_default().push(i);
    }
    members.into_values().collect()
}

/// Parses one component's directories, evaluates its roots and drops the trees.
fn component<T: Send>(
    part: &[&Group],
    opts: &TerraformOptions,
    names: &Arc<HashMap<FileId, String>>,
    var_files: &[Vec<load::Attr>],
    cli: &[(String, crate::parse::node::Node)],
    per_root: &(impl Fn(Vec<Resource>) -> T + Sync),
) -> Component<T> {
    let module_only: Vec<bool> = part
        .iter()
        .map(|(_, _, files)| files.iter().all(|f| opts.module_only.contains(&f.id)))
        .collect();
    let dirs: Vec<Dir> = part
        .par_iter()
        .map(|(path, display, files)| Dir::load(path.clone(), display.clone(), files))
        .collect();
    let index: HashMap<PathBuf, usize> = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.clone(), i))
        .collect();
    let (roots, reached) = roots(&dirs, &index, &module_only);
    let mut errors = Vec::new();
    for (i, d) in dirs.iter().enumerate() {
        if !module_only[i] || reached[i] {
            errors.extend(d.errors.iter().cloned());
        }
    }
    let world = World {
        dirs: &dirs,
        index: &index,
        files: names.clone(),
    };
    let results: Vec<(T, Vec<FileError>, Vec<Notice>)> = roots
        .into_par_iter()
        .map(|r| {
            let mut o = Out::default();
            let vars = root_vars(&dirs[r], var_files, cli);
            world.run(
                r,
                String::new(),
                vars,
                ".".to_owned(),
                &mut Vec::new(),
                &mut o,
            );
            (per_root(o.resources), o.errors, o.notices)
        })
        .collect();
    // Free the syntax trees on every worker, not on this thread alone.
    drop(world);
    dirs.into_par_iter().for_each(drop);
    let mut out = Component {
        per_root: Vec::new(),
        errors,
        notices: Vec::new(),
    };
    for (t, errors, notices) in results {
        out.per_root.push(t);
        out.errors.extend(errors);
        out.notices.extend(notices);
    }
    out
}

/// Edges of the local-module call graph: caller directory → called directories.
fn calls(dirs: &[Dir], index: &HashMap<PathBuf, usize>) -> Vec<Vec<usize>> {
    dirs.iter()
        .map(|d| {
            let mut to: Vec<usize> = d
                .blocks
                .iter()
                .filter(|b| b.ident == "module")
                .filter_map(literal_source)
                .filter(|s| is_local(s))
                .filter_map(|s| index.get(&normalize(&d.path.join(s))).copied())
                .collect();
            to.sort_unstable();
            to.dedup();
            to
        })
        .collect()
}

/// Directories evaluated on their own: those no other directory calls, plus one entry
/// point into any group only reachable through a cycle; never a module-only directory
/// (a module outside the scanned paths). Also returns which directories the roots reach.
fn roots(
    dirs: &[Dir],
    index: &HashMap<PathBuf, usize>,
    module_only: &[bool],
) -> (Vec<usize>, Vec<bool>) {
    let edges = calls(dirs, index);
    let mut called = vec![false; dirs.len()];
    for (from, to) in edges.iter().enumerate() {
        for &t in to {
            if t != from {
                called[t] = true;
            }
        }
    }
    let mut roots: Vec<usize> = (0..dirs.len())
        .filter(|&i| !called[i] && !module_only[i])
        .collect();
    let mut reached = vec![false; dirs.len()];
    let visit = |start: usize, reached: &mut Vec<bool>| {
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            if !std::mem::replace(&mut reached[n], true) {
                stack.extend(edges[n].iter().copied());
            }
        }
    };
    for &r in &roots {
        visit(r, &mut reached);
    }
    for i in 0..dirs.len() {
        if !reached[i] && !module_only[i] {
            roots.push(i);
            visit(i, &mut reached);
        }
    }
    roots.sort_unstable();
    (roots, reached)
}
