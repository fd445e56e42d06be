//! The `costsim` binary: everything is in the library's `cli` module.

fn main() {
    std::process::exit(costsim::cli::main());
}
