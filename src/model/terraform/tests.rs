//! Tests of the whole Terraform stage over strings and fixture directories.
