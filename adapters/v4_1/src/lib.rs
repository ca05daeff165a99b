//! Converts SiteServer 4.1 backup tables to the next version's layout (in progress).
