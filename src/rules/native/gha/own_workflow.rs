//! `gha_uses_own_repository`: whether a job calls a reusable workflow of the repository
//! being scanned (`uses: owner/repo/.github/workflows/x.yml@ref` where owner/repo is the
//! checkout's GitHub origin). Native because the repository's name is not in the files:
//! it comes from the git checkout on disk.

use crate::parse::node::Node;
use crate::rules::context::EvalCx;
use crate::rules::native::support::repository::github_repository;
use crate::rules::truth::Outcome;

/// True when the job's `uses` names a workflow of the scanned repository; false when it
/// names another repository, when the job calls none, or when the scanned files are not
/// in a GitHub checkout (the rule then treats the workflow as third-party).
pub(crate) fn check(job: &Node, cx: &EvalCx<'_>, _: Option<&Node>) -> Outcome {
    let Some(uses) = job.get("uses") else {
        return Outcome::fail(vec![cx.resource.header]);
    };
    let own = uses.as_str().is_some_and(|u| {
        cx.index
            .file_path(cx.resource.span.file)
            .and_then(github_repository)
            .is_some_and(|repo| {
                u.to_ascii_lowercase()
                    .strip_prefix(&repo)
                    .is_some_and(|rest| rest.starts_with("/.github/workflows/"))
            })
    });
    Outcome::from_bool(own, uses.span)
}
