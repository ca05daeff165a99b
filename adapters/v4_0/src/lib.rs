//! Converts SiteServer 4.0 backup tables to the next version's layout (in progress).
