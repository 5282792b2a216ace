//! `cargo xtask`: the workshop's checker (work in progress).

fn main() {
    println!("cargo xtask: work in progress");
}
