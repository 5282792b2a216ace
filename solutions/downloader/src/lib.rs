//! The downloader reference solution (work in progress).
