//! Cache-aside written the obvious way, with a check-then-act race.
//!
//! Look the key up; on a miss, load it and store it. Each call takes the
//! lock and is safe on its own, but the decision ("it is missing") is taken
//! under one lock and the action ("store what I loaded") under another.
//! While the load runs, a writer may store a newer value, and this fill
//! then overwrites it with the older one it loaded.

use std::hash::Hash;

use crate::Cache;

// ANCHOR: racy
/// The value for `key`, from the cache or, on a miss, from `load`.
pub fn get_or_load<K: Hash + Eq, V: Clone>(
    cache: &Cache<K, V>,
    key: K,
    load: impl FnOnce(&K) -> V,
) -> V {
    if let Some(value) = cache.get(&key) {
        return value; // A hit.
    }
    let loaded = load(&key); // No lock held: a writer may store a newer value now...
    cache.set(key, loaded.clone()); // ...and this overwrites it with ours.
    loaded
}
// ANCHOR_END: racy
