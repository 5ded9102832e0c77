//! Benchmarks for callkit-engine (work in progress).
