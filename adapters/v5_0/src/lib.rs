//! Converts SiteServer 5.0 backup tables to the next version's layout (in progress).
