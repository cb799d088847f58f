//! Mistakes the types prevent: each file under `compile_fail/` must fail to compile, with the
//! compiler's message recorded beside it (`TRYBUILD=overwrite` refreshes them after review).

#[test]
fn swapped_order_inputs_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
