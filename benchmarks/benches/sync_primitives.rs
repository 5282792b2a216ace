//! A map shared by threads: `Mutex<HashMap>`, `RwLock<HashMap>` and
//! `DashMap`, read-mostly and mixed, at 1, 2 and 4 threads.
//!
//! ```text
//! cargo bench -p benchmarks --bench sync_primitives [-- --quick]
//! ```
//!
//! The map holds 1024 `u64` keys. Each of `t` threads makes `K` operations
//! (100,000; 20,000 in quick mode) on random keys: a lookup that copies the
//! value out, or an insert that overwrites it. Criterion groups
//! `maps_read90` (90 % lookups) and `maps_mixed50` (50 %), each with:
//!
//! - `mutex/<t>`: `std::sync::Mutex<HashMap>`, the baseline: what most
//!   people write first;
//! - `rwlock/<t>`: `std::sync::RwLock<HashMap>`, Go's `sync.RWMutex` advice;
//! - `dashmap/<t>`: `dashmap::DashMap`, sharded locks (Go's `sync.Map` in
//!   spirit);
//! - `cache/<t>`: `sync_primitives::Cache`, the workshop's `RwLock<HashMap>`,
//!   which also counts hits and misses in two shared atomics.
//!
//! Throughput is `t × K` operations per iteration.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Mutex, PoisonError, RwLock};
use std::thread;

use benchmarks::Mode;
use benchmarks::results::BenchRun;
use benchmarks::work::Rng;
use criterion::{BenchmarkId, Criterion, Throughput};
use dashmap::DashMap;
use serde_json::json;
use sync_primitives::Cache;

/// Keys in the map.
const KEYS: u64 = 1024;
const THREADS: [usize; 3] = [1, 2, 4];

// ANCHOR: shared_map
/// What every contender can do: look a key up, and store a value.
trait SharedMap: Sync {
    fn get(&self, key: u64) -> Option<u64>;
    fn set(&self, key: u64, value: u64);
}

impl SharedMap for Mutex<HashMap<u64, u64>> {
    fn get(&self, key: u64) -> Option<u64> {
        self.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .copied()
    }
    fn set(&self, key: u64, value: u64) {
        self.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, value);
    }
}

impl SharedMap for RwLock<HashMap<u64, u64>> {
    fn get(&self, key: u64) -> Option<u64> {
        self.read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .copied()
    }
    fn set(&self, key: u64, value: u64) {
        self.write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, value);
    }
}

impl SharedMap for DashMap<u64, u64> {
    fn get(&self, key: u64) -> Option<u64> {
        // Copy out: the shard's read lock is released at once.
        DashMap::get(self, &key).map(|value| *value)
    }
    fn set(&self, key: u64, value: u64) {
        self.insert(key, value);
    }
}

impl SharedMap for Cache<u64, u64> {
    fn get(&self, key: u64) -> Option<u64> {
        Cache::get(self, &key)
    }
    fn set(&self, key: u64, value: u64) {
        Cache::set(self, key, value);
    }
}

/// `threads` threads each make `ops` operations on `map`, `reads_percent`
/// of them lookups, the rest inserts.
fn hammer(map: &impl SharedMap, threads: usize, ops: u64, reads_percent: u64) -> u64 {
    thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|id| {
                s.spawn(move || {
                    let mut rng = Rng::new(id as u64 + 1);
                    let mut found = 0;
                    for _ in 0..ops {
                        let key = rng.below(KEYS);
                        if rng.below(100) < reads_percent {
                            found += map.get(key).unwrap_or(0) & 1;
                        } else {
                            map.set(key, key);
                        }
                    }
                    found
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("a worker does not panic"))
            .sum()
    })
}
// ANCHOR_END: shared_map

fn filled<M: SharedMap>(map: M) -> M {
    for key in 0..KEYS {
        map.set(key, key);
    }
    map
}

fn bench(c: &mut Criterion, ops: u64) {
    let mutex = filled(Mutex::new(HashMap::new()));
    let rwlock = filled(RwLock::new(HashMap::new()));
    let dashmap = filled(DashMap::new());
    let cache = filled(Cache::new());
    for (group_name, reads_percent) in [("maps_read90", 90), ("maps_mixed50", 50)] {
        let mut group = c.benchmark_group(group_name);
        for threads in THREADS {
            group.throughput(Throughput::Elements(threads as u64 * ops));
            let contenders: [(&str, &dyn Fn() -> u64); 4] = [
                ("mutex", &|| hammer(&mutex, threads, ops, reads_percent)),
                ("rwlock", &|| hammer(&rwlock, threads, ops, reads_percent)),
                ("dashmap", &|| hammer(&dashmap, threads, ops, reads_percent)),
                ("cache", &|| hammer(&cache, threads, ops, reads_percent)),
            ];
            for (name, run) in contenders {
                group.bench_function(BenchmarkId::new(name, threads), |b| {
                    b.iter(|| black_box(run()))
                });
            }
        }
        group.finish();
    }
}

fn main() -> anyhow::Result<()> {
    let mode = Mode::from_args();
    let run = BenchRun::start("sync_primitives", mode);
    let ops = mode.pick(20_000, 100_000);
    let mut criterion = mode.criterion();
    bench(&mut criterion, ops);
    criterion.final_summary();
    run.finish(json!({ "keys": KEYS, "ops_per_thread": ops, "threads": THREADS }))?;
    Ok(())
}
