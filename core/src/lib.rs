//! SiteServer CMS upgrade tool core.
pub mod config;
