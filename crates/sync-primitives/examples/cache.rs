//! A read-mostly cache in front of a slow "database", shared by reader
//! threads and a writer, with the database handle created once.
//!
//! ```text
//! cargo run -p sync-primitives --example cache
//! ```
//!
//! Four readers look users up cache-aside (try the cache; on a miss, query
//! the database and store the answer unless a value was stored meanwhile)
//! while a writer renames users. All five threads leave the start line at
//! once and all ask for the shared database handle, which is connected
//! exactly once. Prints each reader's hits and misses, the cache's totals,
//! how many entries hold the writer's new name (all of them: no reader's
//! fill overwrote a rename), and the database's counts, for example:
//!
//! ```text
//! reader 0: hits 199, misses  1
//! reader 1: hits 199, misses  1
//! reader 2: hits 187, misses 13
//! reader 3: hits 190, misses 10
//! writer:   renames 20
//! cache:    lookups 800, hits 775, misses 25, entries 20, renamed 20
//! database: queries 45 (misses 25 + renames 20)
//! once:     5 threads asked for the database handle, connections made 1, config loads 1
//! ```
//!
//! Which reader misses which key depends on the schedule, so the split
//! changes from run to run; the totals always add up.

use std::sync::Barrier;
use std::time::Duration;

use sync_primitives::{Cache, Config, Db, Lookup, db};

const READERS: usize = 4;
const LOOKUPS: u32 = 200;
const USERS: u32 = 20;

fn main() {
    // ANCHOR: example
    let cache: Cache<u32, String> = Cache::new();
    let start = Barrier::new(READERS + 1);

    // Scoped threads: all joined before `scope` returns.
    let (per_reader, renames) = std::thread::scope(|s| {
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    // Every thread asks for the handle as soon as it starts:
                    // one of them connects, the others wait and share it.
                    let db = db();
                    let (mut hits, mut misses) = (0, 0);
                    for lookup in 0..LOOKUPS {
                        let id = lookup % USERS;
                        // Not `get`, then `set(id, db.load_user(id))` on a
                        // miss: a rename stored while we load would be
                        // overwritten with the old name. `get_or_load` fills
                        // the cache only if the key is still absent.
                        match cache.get_or_load(id, |&id| db.load_user(id)) {
                            (_, Lookup::Hit) => hits += 1,
                            (_, Lookup::Miss) => misses += 1,
                        }
                    }
                    (hits, misses)
                })
            })
            .collect();
        let writer = s.spawn(|| {
            start.wait();
            let db = db();
            for id in 0..USERS {
                cache.set(id, format!("{} (renamed)", db.load_user(id)));
                std::thread::sleep(Duration::from_micros(100));
            }
            USERS
        });
        let per_reader: Vec<(u32, u32)> = readers
            .into_iter()
            .map(|reader| reader.join().expect("readers do not panic"))
            .collect();
        (
            per_reader,
            writer.join().expect("the writer does not panic"),
        )
    });
    // ANCHOR_END: example

    for (i, (hits, misses)) in per_reader.iter().enumerate() {
        println!("reader {i}: hits {hits:>3}, misses {misses:>2}");
    }
    println!("writer:   renames {renames}");
    let stats = cache.stats();
    // The writer stored every new name after its readers may have missed;
    // a fill that overwrote one would leave an old name here.
    let renamed = cache
        .snapshot()
        .values()
        .filter(|name| name.ends_with("(renamed)"))
        .count();
    println!(
        "cache:    lookups {}, hits {}, misses {}, entries {}, renamed {renamed}",
        stats.hits + stats.misses,
        stats.hits,
        stats.misses,
        cache.len()
    );
    // Every miss and every rename queried the database once.
    println!(
        "database: queries {} (misses {} + renames {renames})",
        db().queries(),
        stats.misses
    );
    println!(
        "once:     {} threads asked for the database handle, connections made {}, config loads {}",
        READERS + 1,
        Db::connections_made(),
        Config::loads()
    );
}
