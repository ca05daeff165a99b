//! Ids of tables merged into one: the first source keeps its ids, a later source's colliding
//! ids get new ones above every id seen, so no new id meets an old one.

use std::collections::{HashMap, HashSet};

pub struct Renumbering {
    /// Per source (lower-cased name): old id → new id, only for ids that change.
    pub maps: HashMap<String, HashMap<i64, i64>>,
    /// The first id free for rows that have none.
    pub next: i64,
}

/// `sources` are the merged tables in merge order with their ids. `pre` maps an id before the
/// collision check (a site follows its renumbered root channel); identity for most tables.
pub fn renumber(sources: &[(String, Vec<i64>)], pre: &dyn Fn(&str, i64) -> i64) -> Renumbering {
    let mut next = sources
        .iter()
        .flat_map(|(n, ids)| ids.iter().flat_map(move |&i| [i, pre(n, i)]))
        .max()
        .unwrap_or(0)
        .max(0)
        + 1;
    let mut taken: HashSet<i64> = HashSet::new();
    let mut maps = HashMap::new();
    for (name, ids) in sources {
        let mut map = HashMap::new();
        let mut mine = Vec::with_capacity(ids.len());
        for &old in ids {
            let mut new = pre(name, old);
            if taken.contains(&new) {
                new = next;
                next += 1;
            }
            if new != old {
                map.insert(old, new);
            }
            mine.push(new);
        }
        taken.extend(mine);
        maps.insert(name.to_lowercase(), map);
    }
    Renumbering { maps, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_keeps_later_renumbered_above_all() {
        let r = renumber(
            &[
                ("A".into(), vec![1, 2, 9]),
                ("B".into(), vec![2, 3, 9]),
                ("C".into(), vec![3, 4]),
            ],
            &|_, i| i,
        );
        assert!(r.maps["a"].is_empty());
        assert_eq!(r.maps["b"], [(2, 10), (9, 11)].into_iter().collect());
        assert_eq!(r.maps["c"], [(3, 12)].into_iter().collect());
        assert_eq!(r.next, 13);
    }

    #[test]
    fn premapped_ids_are_checked_too() {
        let r = renumber(
            &[("main".into(), vec![1]), ("wcm".into(), vec![1, 2])],
            &|s, i| if s == "wcm" && i == 1 { 7 } else { i },
        );
        assert_eq!(r.maps["wcm"], [(1, 7)].into_iter().collect());
        assert_eq!(r.next, 8);
    }
}
