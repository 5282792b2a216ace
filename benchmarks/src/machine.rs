//! The machine the numbers were taken on: cores, CPU model, compiler.
//!
//! Read by the summarizer and printed above the tables, because a ratio
//! means little without the number of cores it was measured on.

use std::process::Command;

/// What the summary says about the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// Cores this process may use (`nproc`).
    pub cores: usize,
    /// The CPU's model name from `/proc/cpuinfo`, or `unknown`.
    pub cpu: String,
    /// `rustc --version`, or `unknown`.
    pub rustc: String,
}

impl Machine {
    /// Looks at the machine this runs on.
    pub fn detect() -> Machine {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| cpu_model(&text))
            .unwrap_or_else(|| "unknown".to_owned());
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let rustc = Command::new(rustc)
            .arg("--version")
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        Machine { cores, cpu, rustc }
    }
}

/// The first `model name` line of a `/proc/cpuinfo` text.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_model_name() {
        let text = "processor\t: 0\nmodel name\t: Example CPU @ 2.00GHz\nflags\t: fpu\n";
        assert_eq!(cpu_model(text).as_deref(), Some("Example CPU @ 2.00GHz"));
        assert_eq!(cpu_model("processor: 0\n"), None);
    }
}
