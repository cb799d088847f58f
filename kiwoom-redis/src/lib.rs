//! Redis-backed shared token store and rate limiter (work in progress).
