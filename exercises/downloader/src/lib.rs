//! The downloader exercise (work in progress).
