import CCallKitEngine

/// The size and alignment, in bytes, the C library says an engine needs (placeholder
/// until the engine type lands).
func engineLayout() -> (size: Int, alignment: Int)? {
    var size = 0
    var alignment = 0
    guard ck_engine_layout(&size, &alignment) == CK_RESULT_OK else { return nil }
    return (size, alignment)
}
