//! The exercises, in book order, and where their files live.

use std::path::{Path, PathBuf};

/// Which crate of an exercise the checker judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The learner's crate under `exercises/`.
    Exercises,
    /// The reference solution under `solutions/`.
    Solutions,
}

/// One exercise of the workshop.
#[derive(Debug)]
pub struct Exercise {
    /// Its short name, as typed on the command line (`cargo xtask check downloader`).
    pub name: &'static str,
    /// Its title in the book.
    pub title: &'static str,
    /// The book chapter that teaches the pattern it practises.
    pub pattern_chapter: &'static str,
    /// One of the three projects, which put several patterns together,
    /// rather than the small exercise of one chapter.
    pub project: bool,
}

/// Every exercise, in the order the book teaches them: the small exercise
/// of each pattern chapter, in the chapters' order (Worker pool, Fan-out and
/// fan-in, Pipeline, Cancellation and error groups, Rate limiting, Sync
/// primitives, Leak detection), then the three projects. `check` and `list`
/// go in this order.
pub const EXERCISES: &[Exercise] = &[
    Exercise {
        name: "parallel-map",
        title: "Parallel map",
        pattern_chapter: "Worker pool",
        project: false,
    },
    Exercise {
        name: "fan-in",
        title: "Fan-in",
        pattern_chapter: "Fan-out and fan-in",
        project: false,
    },
    Exercise {
        name: "pipeline-stage",
        title: "Pipeline stage",
        pattern_chapter: "Pipeline",
        project: false,
    },
    Exercise {
        name: "errgroup",
        title: "Error group",
        pattern_chapter: "Cancellation and error groups",
        project: false,
    },
    Exercise {
        name: "token-bucket",
        title: "Token bucket",
        pattern_chapter: "Rate limiting",
        project: false,
    },
    Exercise {
        name: "once-cache",
        title: "Once cache",
        pattern_chapter: "Sync primitives",
        project: false,
    },
    Exercise {
        name: "leak-hunt",
        title: "Leak hunt",
        pattern_chapter: "Leak detection",
        project: false,
    },
    Exercise {
        name: "downloader",
        title: "Bounded downloader",
        pattern_chapter: "Worker pool",
        project: true,
    },
    Exercise {
        name: "prime-pipeline",
        title: "Prime pipeline",
        pattern_chapter: "Pipeline",
        project: true,
    },
    Exercise {
        name: "pubsub",
        title: "Topic pub/sub",
        pattern_chapter: "Fan-out and fan-in",
        project: true,
    },
];

impl Exercise {
    /// Looks an exercise up by name.
    pub fn find(name: &str) -> Option<&'static Exercise> {
        EXERCISES.iter().find(|exercise| exercise.name == name)
    }

    /// The cargo package that holds this exercise's code for `target`.
    pub fn package(&self, target: Target) -> String {
        match target {
            Target::Exercises => self.name.to_owned(),
            Target::Solutions => format!("{}-solution", self.name),
        }
    }

    /// The crate's folder, relative to the workspace root.
    pub fn dir(&self, target: Target) -> PathBuf {
        let parent = match target {
            Target::Exercises => "exercises",
            Target::Solutions => "solutions",
        };
        Path::new(parent).join(self.name)
    }

    /// The folder with the spec, its snapshots, the hints and the starter code.
    pub fn spec_dir(&self) -> PathBuf {
        Path::new("specs").join(self.name)
    }

    /// The learner's main file, the one to open first.
    pub fn lib_rs(&self) -> PathBuf {
        self.dir(Target::Exercises).join("src").join("lib.rs")
    }
}

/// The names of all exercises, for error messages.
pub fn names() -> String {
    EXERCISES
        .iter()
        .map(|exercise| exercise.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Resolves names given on the command line; none means all, in book order.
pub fn select(names_given: &[String]) -> anyhow::Result<Vec<&'static Exercise>> {
    if names_given.is_empty() {
        return Ok(EXERCISES.iter().collect());
    }
    let mut selected = Vec::new();
    for name in names_given {
        let exercise = Exercise::find(name).ok_or_else(|| {
            anyhow::anyhow!(
                "there is no exercise called `{name}`; the exercises are: {}",
                names()
            )
        })?;
        if !selected.iter().any(|e: &&Exercise| e.name == exercise.name) {
            selected.push(exercise);
        }
    }
    // Book order, whatever order they were typed in.
    selected.sort_by_key(|exercise| EXERCISES.iter().position(|e| e.name == exercise.name));
    Ok(selected)
}
